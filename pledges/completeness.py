"""What a pledge still lacks before it can be submitted, section by section, with the field
to link to. Drafts may be incomplete; submission may not."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import Pledge, PledgeType


@dataclass(frozen=True)
class Missing:
    section: str
    field: str
    message: str


SECTIONS = [
    ("basics", _("Basics")),
    ("details", _("Type details")),
    ("areas", _("Action areas")),
    ("geography", _("Geography and beneficiaries")),
    ("targets", _("Targets")),
    ("partners", _("Partners and contact")),
]
SECTION_NAMES = dict(SECTIONS)

TYPE_FIELDS = {
    PledgeType.FINANCIAL: [("amount", _("the amount")), ("currency", _("the currency")),
                           ("modality", _("the modality"))],
    PledgeType.POLICY: [("policy_instrument", _("the instrument")),
                        ("policy_stage", _("the stage")),
                        ("jurisdiction", _("the jurisdiction"))],
    PledgeType.ADVOCACY: [("advocacy_activities", _("at least one activity")),
                          ("audience", _("the audience"))],
    PledgeType.PROGRAMME: [("programme_kind", _("whether it is new or an expansion")),
                           ("people_to_reach", _("the number of people to reach"))],
}


def missing_for_submission(pledge: Pledge, related: dict | None = None) -> list[Missing]:
    """`related`: the pledge's action_areas, regions, countries or targets as lists, for those
    not stored yet (an import checks every row before it writes any)."""
    missing: list[Missing] = []
    related = related or {}

    def need(section, field, message):
        missing.append(Missing(section, field, message))

    def has(name: str) -> bool:
        return bool(related[name]) if name in related else getattr(pledge, name).exists()

    for section, _name in SECTIONS:
        if section in (pledge.unsaved_input or {}):
            need(section, "", _("Some values you typed in this section are not valid yet."))
    if not pledge.title.strip():
        need("basics", "title", _("Give the pledge a title."))
    if not pledge.summary.strip():
        need("basics", "summary", _("Write a one-paragraph summary."))
    if not pledge.pledge_type:
        need("basics", "pledge_type", _("Choose the type of pledge."))
    if not pledge.start_date:
        need("basics", "start_date", _("Give the start date."))
    if not pledge.end_date:
        need("basics", "end_date", _("Give the end date."))
    for field, label in TYPE_FIELDS.get(pledge.pledge_type, []):
        if getattr(pledge, field) in (None, "", []):
            need("details", field, _("Give %(what)s.") % {"what": label})
    if not has("action_areas"):
        need("areas", "action_areas", _("Choose at least one action area."))
    if not (pledge.is_global or has("regions") or has("countries")):
        need("geography", "countries",
             _("Say where the pledge acts: globally, in regions or in countries."))
    targets = list(related["targets"] if "targets" in related else pledge.targets.all())
    if not targets:
        need("targets", "targets", _("Add at least one quantified target."))
    for number, target in enumerate(targets, 1):
        outside = (pledge.start_date and target.target_date < pledge.start_date) or (
            pledge.end_date and target.target_date > pledge.end_date
        )
        if outside:
            need("targets", f"targets-{number - 1}-target_date",
                 _("Target %(number)d: its date is outside the pledge period.")
                 % {"number": number})
    if not pledge.contact_name.strip() or not pledge.contact_email:
        need("partners", "contact_name", _("Give a contact person and their email."))
    return missing
