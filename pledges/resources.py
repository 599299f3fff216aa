"""Import and export of pledges (django-import-export), e.g. the pledges collected on paper or in
a spreadsheet at a roundtable. The accepted columns and forms are documented for the secretariat
in templates/admin/pledges/pledge/import_help.html.

Natural key:
- a row with a reference (P2C-2022-0042) updates that pledge; an unknown reference is an error
  (references are given by the portal, never invented in a file);
- a row without a reference is identified by its entity and its title (compared without case,
  accents or extra spaces): it updates the pledge of that entity with that title if there is one,
  else it creates a new pledge. So re-importing the same file, with or without the references the
  portal assigned, updates instead of duplicating.

The status is never imported. A new pledge that is complete (the same rules as a member's
submission) arrives as "submitted", with a reference, for the normal review:
pledges.workflow.BulkSubmission submits it as a member's submission would (audit row "Imported from
<file> by <person>", no email), in bulk. A new pledge that is valid but not complete is not refused:
it becomes a draft of its entity, listed in the preview and the result with what it lacks, and the
entity's administrators are invited once to complete and submit it (pledges.import_drafts). Only
invalid rows block an import. An existing pledge keeps its status and must stay complete; one that
is back with its entity (draft, changes requested) is not changed by an import. Every update bumps
the pledge's version, so a member or secretariat form opened before the import cannot overwrite it;
the pledges a file updates are read and locked before its first row, so that nothing a row is
checked against changes before it is written. Every value is checked as the member's form checks it
(lengths, digits, minimums); a pledge of an entity that is not approved is imported with a warning,
and cannot be published until the entity is approved (pledges.workflow).
"""

import re
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Upper
from django.forms import ModelChoiceField
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from action_areas.country_names import group_named, is_global_name
from action_areas.models import (
    ActionArea,
    BeneficiaryGroup,
    CountryGroup,
    Indicator,
    Pillar,
    Region,
    SustainableDevelopmentGoal,
)
from members.resources import EntityLabels, country_index, entity_index
from p2c_portal.locale_formats import format_number
from spreadsheets.files import cell_text, fold, split_list
from spreadsheets.import_engine import (
    WRITE_BATCH,
    BooleanWidget,
    ChoiceWidget,
    Column,
    DateTimeWidget,
    DateWidget,
    DecimalWidget,
    DeskResource,
    IndexWidget,
    NameIndex,
    StashedColumn,
    TextWidget,
    bulk_update,
    decimal_from_cell,
)
from spreadsheets.periods import describe_date, read_date

from . import import_drafts, services, workflow
from .amounts import AmountError, describe_amount, parse_amount, read_amount, settle_currency
from .choice_words import (
    ADVOCACY_ACTIVITY_WORDS,
    MODALITY_WORDS,
    PLEDGE_TYPE_WORDS,
    POLICY_INSTRUMENT_WORDS,
    POLICY_STAGE_WORDS,
    PROGRAMME_KIND_WORDS,
)
from .completeness import missing_for_submission
from .currencies import CurrencyReading, read_currency
from .forms import BasicsForm, DetailsForm, GeographyForm, PartnersForm, TargetForm
from .models import (
    AdvocacyActivity,
    Event,
    FinancialModality,
    Partnership,
    Pledge,
    PledgeType,
    PolicyInstrument,
    PolicyStage,
    ProgrammeKind,
    Target,
    other_type_details,
)
from .partnerships import partnerships_invite_imported
from .rates import pledge_convert

S = Pledge.Status
MAX_TARGET_DECIMALS = 2
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# --- Cells specific to pledges --------------------------------------------------------------------


def _amount(text: str) -> tuple[Decimal, str]:
    try:
        return parse_amount(text)
    except AmountError as error:
        raise ValueError(str(error)) from None


_PLAIN_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")


def _currency_in_amount(row) -> CurrencyReading | None:
    """The currency written with the row's amount ("€" in "€2.5m"), if any."""
    text = (row or {}).get("amount")
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        return read_amount(text).currency
    except AmountError:
        return None  # reported by the amount column


def _currency_of(row, column_text: str | None = None) -> str:
    """The row's currency from its amount and currency cells ("" when neither says one);
    ValueError when they contradict each other or leave it open ("FCFA": XOF or XAF?)."""
    row = row or {}
    if column_text is None:
        column_text = cell_text(row.get("currency")) if "currency" in row else ""
    in_column = None
    if column_text:
        in_column = read_currency(column_text)
        if in_column is None:
            raise ValueError(
                _("“%(text)s” is not a currency: write its three-letter code, e.g. USD, EUR, "
                  "XOF.") % {"text": column_text[:40]}
            )
    try:
        return settle_currency(_currency_in_amount(row), in_column)
    except AmountError as error:
        raise ValueError(str(error)) from None


class AmountWidget(DecimalWidget):
    """ "1,000,000", "1 000 000", "1.000.000,50", "USD 5 million", "€2.5m", "2,5 M€",
    "FCFA 500 000 000" (pledges.amounts). A currency written with the amount is settled with the
    currency column (CurrencyWidget) or, without that column, is the pledge's currency."""

    def clean(self, value, row=None, **kwargs):
        if cell_text(value) == "":
            return None
        amount = decimal_from_cell(value, _amount)
        if "currency" not in (row or {}):
            _currency_of(row)  # "FCFA 500 000 000" alone does not say which franc
        return amount

    def describe(self, value, cleaned, row=None):
        if cleaned is None or not isinstance(value, str) or _PLAIN_NUMBER.match(value.strip()):
            return ""  # a number as the portal stores it: nothing was read into it
        try:
            currency = _currency_of(row)
        except ValueError:
            currency = ""
        return describe_amount(cleaned, currency)


class CurrencyWidget(TextWidget):
    """An ISO 4217 code, a sign or a name ("US$", "€", "FCFA", "dollars américains":
    pledges.currencies); empty: the currency written with the amount. A currency that the
    amount's contradicts is an error, never dropped."""

    def clean(self, value, row=None, **kwargs):
        return _currency_of(row, cell_text(value))

    def describe(self, value, cleaned, row=None):
        return cleaned or ""


class WholeNumberWidget(DecimalWidget):
    def clean(self, value, row=None, **kwargs):
        if cell_text(value) == "":
            return None
        number = decimal_from_cell(value, _amount)
        if number != number.to_integral_value():
            raise ValueError(_("“%(text)s” is not a whole number.") % {"text": cell_text(value)})
        return int(number)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return None if kwargs.get("force_native_type") else ""
        return value if kwargs.get("force_native_type") else str(value)

    def describe(self, value, cleaned, row=None):
        return _described_number(value, cleaned)


def _described_number(value, number) -> str:
    """ "1,5 million" → 1,500,000 for the preview; "" for a number written as stored."""
    if number is None or not isinstance(value, str) or _PLAIN_NUMBER.match(value.strip()):
        return ""
    return format_number(number)


class TargetsWidget(TextWidget):
    """One target a line: indicator | unit | baseline | target value | target date (the baseline
    may be left out: indicator | unit | target value | target date), optionally followed by
    | the code of a catalogue indicator (e.g. "people-connected"), so that the target counts
    toward the coalition goals; the wording written stays the target's own."""

    @staticmethod
    def _indicator_ids(codes: list[str]) -> dict[str, int]:
        """{code: id} of the active catalogue indicators among `codes` (one query a cell that
        names any: the widget outlives an import, so it keeps nothing that could go stale)."""
        codes = [code.lower() for code in codes if code]
        if not codes:
            return {}
        return dict(Indicator.objects.active().filter(code__in=codes).values_list("code", "pk"))

    def clean(self, value, row=None, **kwargs):
        targets = []
        lines = [line for line in cell_text(value).splitlines() if line.strip()]
        catalogue = self._indicator_ids([line.split("|")[5].strip() for line in lines
                                         if line.count("|") == 5])
        for number, line in enumerate(lines, 1):
            parts = [part.strip() for part in line.split("|")]
            if len(parts) == 4:
                parts.insert(2, "")
            if len(parts) == 5:
                parts.append("")
            if len(parts) != 6:
                raise ValueError(
                    _("Target %(number)d: write “indicator | unit | baseline | target value | "
                      "target date”, one target a line (the baseline may be left empty), and "
                      "optionally “| indicator code”.")
                    % {"number": number}
                )
            indicator, unit, baseline, target_value, target_date, code = parts
            try:
                if not indicator or not unit or not target_value or not target_date:
                    raise ValueError(_("the indicator, unit, target value and target date are "
                                       "required"))
                values = {
                    "indicator": indicator, "unit": unit,
                    "baseline": _number(baseline) if baseline else None,
                    "target_value": _number(target_value),
                    "target_date": read_date(target_date, end=True),
                }
                _check_as_the_target_form(values)
                indicator_id = catalogue.get(code.lower()) if code else None
                if code and indicator_id is None:
                    raise ValueError(_("“%(code)s” is not the code of an active indicator of "
                                       "the catalogue") % {"code": code[:60]})
                targets.append((*values.values(), indicator_id))
            except ValueError as error:
                raise ValueError(
                    _("Target %(number)d: %(error)s") % {"number": number, "error": error}
                ) from None
        if len(targets) > services.MAX_TARGETS:
            raise ValueError(_("A pledge can have at most %(max)d targets.")
                             % {"max": services.MAX_TARGETS})
        return targets

    def describe(self, value, cleaned, row=None):
        """The numbers and dates of each target as read: "1.5 million" → 1,500,000, "Q4 2025"
        → 31 December 2025 (end of period)."""
        readings = []
        for target, line in zip(cleaned or [], [
            line for line in cell_text(value).splitlines() if line.strip()
        ], strict=False):
            parts = [part.strip() for part in line.split("|")]
            _indicator, _unit, baseline, target_value, _date, _code = target
            if len(parts) == 6:  # the indicator code last
                parts = parts[:5]
            numbers = [(parts[-3] if len(parts) == 5 else "", baseline),
                       (parts[-2], target_value)]
            for written, number in numbers:
                shown = _described_number(written, number)
                if shown:
                    readings.append((written, shown))
            if not _ISO_DAY.match(parts[-1]):
                readings.append((parts[-1], describe_date(parts[-1], end=True)))
        return readings

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return "\n".join(
            " | ".join([
                t.indicator, t.unit, "" if t.baseline is None else format(t.baseline, "f"),
                format(t.target_value, "f"), t.target_date.isoformat(),
                *([t.catalogue_indicator.code] if t.catalogue_indicator_id else []),
            ])
            for t in value.all()
        )


def _check_as_the_target_form(values: dict) -> None:
    """The limits of the member's target form (lengths, minimums, maximums), with its labels."""
    for name, value in values.items():
        if value is None:
            continue
        field = TargetForm.base_fields[name]
        try:
            field.validate(value)
            field.run_validators(value)
        except ValidationError as error:
            raise ValueError(
                f"{str(field.label).lower()}: {' '.join(error.messages)}"
            ) from None


def _number(text: str) -> Decimal:
    number, _currency = _amount(text)
    if -number.as_tuple().exponent > MAX_TARGET_DECIMALS:
        raise ValueError(_("“%(text)s” has more than two decimals") % {"text": text})
    return number


class CoPledgersColumn(StashedColumn):
    """Co-pledgers named in a file are invited (pledges.partnerships), never made partners
    here: they are shown once one of their administrators accepts. A row names no change
    while it names the entities already invited or partners."""

    def current(self, instance):
        if instance.pk is None:
            return set()
        return {partnership.entity_id for partnership in instance.partnerships.all()
                if partnership.status in Partnership.LIVE_STATUSES}

    def apply_many(self, model, items: list[tuple]) -> None:
        partnerships_invite_imported(
            invitations=[(instance, value) for instance, value, _new in items])


class TargetsColumn(StashedColumn):
    def current(self, instance):
        if instance.pk is None:
            return []
        return [
            (t.indicator, t.unit, t.baseline, t.target_value, t.target_date,
             t.catalogue_indicator_id)
            for t in instance.targets.all()
        ]

    def comparable(self, value):
        return list(value)

    def apply_many(self, model, items: list[tuple]) -> None:
        """In place, position by position: a target keeps its row (and the progress reported
        against it) when only its wording or numbers change."""
        created, changed, surplus = [], [], []
        for instance, value, new in items:
            existing = [] if new else list(instance.targets.all())
            for position, (indicator, unit, baseline, target_value, target_date,
                           catalogue_indicator_id) in enumerate(value):
                if position < len(existing):
                    target = existing[position]
                    changed.append(target)
                else:
                    target = Target(pledge=instance)
                    created.append(target)
                if catalogue_indicator_id is None and target.indicator == indicator:
                    # A line without a code (a file from before codes, say) keeps the mapping
                    # the secretariat made in bulk rather than undo it.
                    catalogue_indicator_id = target.catalogue_indicator_id
                target.position = position
                target.indicator, target.unit, target.baseline = indicator, unit, baseline
                target.target_value, target.target_date = target_value, target_date
                target.catalogue_indicator_id = catalogue_indicator_id
            surplus.extend(target.pk for target in existing[len(value):])
        Target.objects.bulk_create(created, batch_size=WRITE_BATCH)
        if changed:
            bulk_update(Target, changed, ["position", "indicator", "unit", "baseline",
                                          "target_value", "target_date",
                                          "catalogue_indicator"])
        if surplus:
            Target.objects.filter(pk__in=surplus).delete()

    @staticmethod
    def unsaved(value) -> list[Target]:
        """The targets of a cleaned cell, as the completeness check reads them."""
        return [
            Target(indicator=indicator, unit=unit, baseline=baseline, target_value=target_value,
                   target_date=target_date, position=position,
                   catalogue_indicator_id=catalogue_indicator_id)
            for position, (indicator, unit, baseline, target_value, target_date,
                           catalogue_indicator_id) in enumerate(value)
        ]


GROUP_ACRONYMS = {
    CountryGroup.LDC: pgettext_lazy("country group acronym", "LDC"),
    CountryGroup.LLDC: pgettext_lazy("country group acronym", "LLDC"),
    CountryGroup.SIDS: pgettext_lazy("country group acronym", "SIDS"),
}


class CountriesWidget(IndexWidget):
    """Countries by any name people write (action_areas.country_names: "Tanzania", "Lao PDR",
    "DRC", "RWA"), UN groups ("All LDCs", "SIDS", "Tous les PMA") read as the countries in the
    group on the day of the import, as the pledge form lists them, and "Global", "Worldwide",
    "Monde": the pledge acts globally (PledgeResource sets is_global)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.groups_factory = None  # set by the resource: () -> {group: [countries]}
        self._read: dict[str, tuple] = {}  # a cell is read for its value, is_global, preview

    def read(self, text: str) -> tuple[list, list[tuple[str, str]], bool]:
        """(countries, (item as written, as read) for the preview, whether it says global)."""
        if text not in self._read:
            self._read[text] = self._read_cell(text)
        return self._read[text]

    def _read_cell(self, text: str) -> tuple[list, list[tuple[str, str]], bool]:
        index = self.index_factory()
        countries, readings, is_global, unknown = [], [], False, []
        for item in split_list(text):
            if is_global_name(item):
                is_global = True
                readings.append((item, _("global (the pledge acts globally)")))
                continue
            groups = group_named(item)
            for group in groups:
                members = self.groups_factory().get(group, [])
                countries.extend(members)
                readings.append((item, _("the %(count)d countries of the %(group)s group today")
                                 % {"count": len(members), "group": GROUP_ACRONYMS[group]}))
            if groups:
                continue
            found = index.find(item)
            if found is None and "," in item:
                parts = [index.find(part.strip()) for part in item.split(",") if part.strip()]
                if parts and all(parts):
                    countries.extend(parts)
                    readings.extend((item, index.label(part)) for part in parts)
                    continue
            if found is None:
                unknown.append(item)
                continue
            countries.append(found)
            readings.append((item, index.label(found)))
        if unknown:
            raise index.unknown_items(unknown)
        return list(dict.fromkeys(countries)), readings, is_global

    def clean(self, value, row=None, **kwargs):
        countries, _readings, _global = self.read(cell_text(value))
        if len(countries) > services.MAX_COUNTRIES:
            raise ValueError(
                _("Choose at most %(max)d countries; for wider pledges choose regions or "
                  "“globally”.") % {"max": services.MAX_COUNTRIES}
            )
        return countries

    def says_global(self, value) -> bool:
        return self.read(cell_text(value))[2]

    def describe(self, value, cleaned, row=None):
        return self.read(cell_text(value))[1]


def _country_groups(countries: NameIndex) -> dict[str, list]:
    """{group: its countries today}, from the countries of the import's index."""
    today = timezone.localdate()
    groups: dict[str, list] = {}
    for country in countries.records():
        for group in country.groups_on(today):
            groups.setdefault(group, []).append(country)
    for members in groups.values():
        members.sort(key=lambda country: country.name_en)
    return groups


def _coded_index(what, model, extra=lambda obj: ()):
    return lambda: NameIndex(
        what, ((o, (o.code, o.name_en, *o.name_translations.values(), *extra(o)))
               for o in model.objects.all())
    )


def _sdg_index():
    return NameIndex(
        _("Sustainable Development Goal"),
        (
            (goal, (str(goal.number), f"SDG {goal.number}", f"SDG{goal.number}",
                    f"Goal {goal.number}", f"ODD {goal.number}", f"ODD{goal.number}",
                    goal.name_en, *goal.name_translations.values()))
            for goal in SustainableDevelopmentGoal.objects.all()
        ),
    )


def _event_index():
    return NameIndex(
        _("event"),
        ((e, (e.slug, e.name_en, *e.name_translations.values())) for e in Event.objects.all()),
    )


# --- The resource ---------------------------------------------------------------------------------


class PledgeResource(DeskResource):
    reference = Column(attribute="reference", widget=TextWidget(), readonly=True)
    entity = Column(attribute="entity", compare="entity_id", widget=IndexWidget(),
                    aliases=("entity name", "organisation", "organization", "entité",
                             "pledging entity", "nom de l'organisation", "institution"))
    title = Column(attribute="title", widget=TextWidget(),
                   aliases=("pledge title", "titre", "titre de l'engagement", "intitulé"))
    summary = Column(attribute="summary", widget=TextWidget(), aliases=("résumé", "abstract"))
    description = Column(attribute="description", widget=TextWidget())
    pledge_type = Column(attribute="pledge_type",
                         widget=ChoiceWidget(PledgeType, synonyms=PLEDGE_TYPE_WORDS),
                         aliases=("type",))
    event = Column(attribute="event", compare="event_id",
                   widget=IndexWidget(render_one=lambda event: event.slug))
    start_date = Column(attribute="start_date", widget=DateWidget(),
                        aliases=("start", "date de début", "début"))
    end_date = Column(attribute="end_date", widget=DateWidget(end=True),
                      aliases=("end", "date de fin", "fin", "completion date"))
    action_areas = StashedColumn(attribute="action_areas",
                                 widget=IndexWidget(multiple=True, render_one=lambda a: a.code))
    pillars = StashedColumn(attribute="pillars",
                            widget=IndexWidget(multiple=True, render_one=lambda p: p.code))
    is_global = Column(attribute="is_global", widget=BooleanWidget())
    regions = StashedColumn(attribute="regions",
                            widget=IndexWidget(multiple=True, render_one=lambda r: r.code))
    countries = StashedColumn(attribute="countries",
                              widget=CountriesWidget(multiple=True,
                                                     render_one=lambda c: c.iso3),
                              aliases=("pays", "pays bénéficiaires", "beneficiary countries",
                                       "target countries", "pays cibles"))
    beneficiary_groups = StashedColumn(
        attribute="beneficiary_groups",
        widget=IndexWidget(multiple=True, render_one=lambda b: b.code),
    )
    sdgs = StashedColumn(attribute="sdgs",
                         widget=IndexWidget(multiple=True, render_one=lambda g: str(g.number)),
                         aliases=("SDG", "ODD"))
    co_pledgers = CoPledgersColumn(attribute="co_pledgers", widget=IndexWidget(multiple=True))
    other_partners = Column(attribute="other_partners", widget=TextWidget())
    contact_name = Column(attribute="contact_name", widget=TextWidget())
    contact_email = Column(attribute="contact_email", widget=TextWidget())
    amount = Column(attribute="amount", widget=AmountWidget(),
                    aliases=("montant", "amount pledged", "montant promis", "budget"))
    currency = Column(attribute="currency", widget=CurrencyWidget(), aliases=("devise",))
    modality = Column(attribute="modality",
                      widget=ChoiceWidget(FinancialModality, synonyms=MODALITY_WORDS))
    disbursement_start = Column(attribute="disbursement_start", widget=DateWidget())
    disbursement_end = Column(attribute="disbursement_end", widget=DateWidget(end=True))
    policy_instrument = Column(
        attribute="policy_instrument",
        widget=ChoiceWidget(PolicyInstrument, synonyms=POLICY_INSTRUMENT_WORDS),
    )
    policy_stage = Column(attribute="policy_stage",
                          widget=ChoiceWidget(PolicyStage, synonyms=POLICY_STAGE_WORDS))
    jurisdiction = Column(attribute="jurisdiction", widget=TextWidget())
    advocacy_activities = Column(
        attribute="advocacy_activities",
        widget=ChoiceWidget(AdvocacyActivity, multiple=True, synonyms=ADVOCACY_ACTIVITY_WORDS),
    )
    audience = Column(attribute="audience", widget=TextWidget())
    programme_kind = Column(attribute="programme_kind",
                            widget=ChoiceWidget(ProgrammeKind, synonyms=PROGRAMME_KIND_WORDS))
    people_to_reach = Column(attribute="people_to_reach", widget=WholeNumberWidget())
    targets = TargetsColumn(attribute="targets", widget=TargetsWidget())
    # Exported for information, never imported.
    status = Column(attribute="status", widget=TextWidget(), readonly=True)
    ldc_lldc_sids = Column(column_name="ldc_lldc_sids", readonly=True)
    usd_amount = Column(attribute="usd_amount", widget=DecimalWidget(), readonly=True)
    first_submitted_at = Column(attribute="first_submitted_at", widget=DateTimeWidget(),
                                readonly=True)
    published_at = Column(attribute="published_at", widget=DateTimeWidget(), readonly=True)

    not_imported = (
        "created_by", "reference", "status", "version", "unsaved_input", "usd_amount",
        "amount_month", "usd_rate", "usd_rate_date", "usd_rate_is_test_data",
        "first_submitted_at", "submitted_at", "published_at",
        "embargo_until", "created_at", "updated_at",
    )
    # The currency may come with the amount, without a currency column; "Global" in the
    # countries column sets is_global without an is_global column.
    bookkeeping_fields = ("version", "currency", "is_global", "amount_month", "usd_amount",
                          "usd_rate", "usd_rate_date", "usd_rate_is_test_data")

    class Meta(DeskResource.Meta):
        model = Pledge
        fields = (
            "reference", "entity", "title", "summary", "description", "pledge_type", "event",
            "start_date", "end_date", "action_areas", "pillars", "is_global", "regions",
            "countries", "beneficiary_groups", "sdgs", "co_pledgers", "other_partners",
            "contact_name", "contact_email", "amount", "currency", "modality",
            "disbursement_start", "disbursement_end", "policy_instrument", "policy_stage",
            "jurisdiction", "advocacy_activities", "audience", "programme_kind",
            "people_to_reach", "targets", "status", "ldc_lldc_sids", "usd_amount",
            "first_submitted_at", "published_at",
        )
        import_order = fields
        export_order = fields

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._entity_texts: set[str] = set()
        self._by_reference: dict[str, Pledge] = {}
        self._by_pk: dict[int, Pledge] = {}
        self._submissions: workflow.BulkSubmission | None = None
        self._rates: dict = {}  # pledges.rates' rates, read once per currency and month
        labels = EntityLabels()
        indexes = {
            "entity": ("entities", entity_index),
            "co_pledgers": ("entities", entity_index),
            "event": ("events", _event_index),
            "action_areas": ("action areas", _coded_index(_("action area"), ActionArea)),
            "pillars": ("pillars", _coded_index(_("pillar"), Pillar)),
            "regions": ("regions", _coded_index(_("ITU-D region"), Region)),
            "countries": ("countries", country_index),
            "beneficiary_groups": ("beneficiary groups",
                                   _coded_index(_("beneficiary group"), BeneficiaryGroup)),
            "sdgs": ("sdgs", _sdg_index),
        }
        for column, (name, factory) in indexes.items():
            self.fields[column].widget.index_factory = (
                lambda name=name, factory=factory: self.index(name, factory)
            )
        self.fields["countries"].widget.groups_factory = lambda: self.index(
            "country groups", lambda: _country_groups(self.index("countries", country_index))
        )
        self.fields["entity"].widget.render_one = labels
        self.fields["co_pledgers"].widget.render_one = labels

    # --- export

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("entity", "event").prefetch_related(
            "action_areas", "pillars", "regions", "countries__group_memberships",
            "beneficiary_groups", "sdgs", "co_pledgers", "targets__catalogue_indicator",
        )

    def dehydrate_ldc_lldc_sids(self, pledge: Pledge) -> str:
        """The groupings the pledge's countries belong to today (derived, never imported)."""
        today = timezone.localdate()
        groups = {g for country in pledge.countries.all() for g in country.groups_on(today)}
        return "; ".join(sorted(groups))

    # --- natural key

    def natural_key(self, row):
        reference = fold(row.get("reference") or "")
        if reference:
            return ("reference", reference)
        title = fold(row.get("title") or "")
        if title:
            # The entity itself, however the row names it (name, acronym, website): new pledges
            # are written after the last row, so a second row cannot find the first one's.
            text = row.get("entity") or ""
            try:
                entity = self.index("entities", entity_index).find(str(text))
            except ValueError:
                entity = None
            return ("title", entity.pk if entity is not None else fold(text), title)
        return None

    def describe_key(self, row) -> str:
        return row.get("reference") or f"{row.get('entity', '')} — {row.get('title', '')}"

    def prefetch_existing(self, rows):
        """The pledges the file updates, read in one query (and their many-to-many values and
        targets in one query each), locked until the end of the import: what a row is checked
        against cannot change before it is written."""
        self._entity_texts = {str(row["entity"]) for row in rows if row.get("entity")}
        references, pks = set(), set()
        for row in rows:
            reference = str(row.get("reference") or "").strip().upper()
            if reference:
                references.add(reference)
                continue
            try:
                matches = self._title_matches(row)
            except ValidationError:
                continue  # reported with its row
            if len(matches) == 1:
                pks.add(matches[0])
        if not references and not pks:
            return
        pledges = (
            Pledge.objects.select_for_update()
            .annotate(upper_reference=Upper("reference"))
            .filter(Q(upper_reference__in=references) | Q(pk__in=pks))
            .prefetch_related(
                "action_areas", "pillars", "regions", "countries", "beneficiary_groups", "sdgs",
                "partnerships", "targets__catalogue_indicator",
            )
        )
        for pledge in pledges:
            self._by_pk[pledge.pk] = pledge
            if pledge.reference:
                self._by_reference[pledge.reference.upper()] = pledge

    def find_existing(self, row):
        reference = (row.get("reference") or "").strip()
        if reference:
            pledge = self._by_reference.get(reference.upper())
            if pledge is None:
                raise ValidationError({"reference": [
                    _("No pledge has the reference “%(reference)s”. References are given by the "
                      "portal: leave the cell empty for a new pledge.") % {"reference": reference}
                ]})
            return pledge
        matches = self._title_matches(row)
        if not matches:
            return None
        return self._by_pk.get(matches[0]) or Pledge.objects.get(pk=matches[0])

    def _title_matches(self, row) -> list[int]:
        """The pledges of the row's entity with the row's title: none, or exactly one."""
        title, entity_text = str(row.get("title") or ""), str(row.get("entity") or "")
        if not title or not entity_text:
            return []
        try:
            entity = self.index("entities", entity_index).find(entity_text)
        except ValueError:
            return []  # reported by the entity column
        if entity is None:
            return []
        matches = self._titles().get((entity.pk, fold(title)), [])
        if len(matches) > 1:
            raise ValidationError(
                _("%(entity)s has several pledges titled “%(title)s”: give the reference of the "
                  "one to update.") % {"entity": entity, "title": title}
            )
        return matches

    def _titles(self) -> dict[tuple, list[int]]:
        """{(entity id, folded title): [pledge ids]} of the entities the file names, read once."""

        def build():
            entities = self.index("entities", entity_index)
            ids = set()
            for text in self._entity_texts:
                try:
                    found = entities.find(text)
                except ValueError:
                    found = None
                if found is not None:
                    ids.add(found.pk)
            titles: dict[tuple, list[int]] = {}
            for pk, entity_id, title in Pledge.objects.filter(entity_id__in=ids).values_list(
                "pk", "entity_id", "title"
            ):
                titles.setdefault((entity_id, fold(title)), []).append(pk)
            return titles

        return self.index("titles", build)

    def check_constraints(self, instance) -> dict[str, str]:
        problems = {}
        if instance.start_date and instance.end_date and instance.end_date < instance.start_date:
            problems["end_date"] = _("The end date is before the start date.")
        if (
            instance.disbursement_start and instance.disbursement_end
            and instance.disbursement_end < instance.disbursement_start
        ):
            problems["disbursement_end"] = _("The disbursement ends before it starts.")
        return problems

    # --- saving

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._submissions = workflow.BulkSubmission(
            actor=None,  # nobody of the entity submitted it: its review's emails reach the admins
            message=_("Imported from “%(file)s” by %(user)s.")
            % {"file": self.file_name or "?", "user": getattr(self.user, "email", "?")},
        )

    def init_instance(self, row=None):
        return Pledge(
            created_by=self.user if getattr(self.user, "is_authenticated", False) else None,
        )

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if (
            not instance._import_new
            and "entity" in row
            and "entity" not in errors
            and instance.entity_id != instance._import_snapshot.get("entity")
        ):
            errors["entity"] = [
                _("This pledge belongs to another entity: an import does not move pledges "
                  "between entities.")
            ]
        if "amount" in row and "currency" not in row and "amount" not in errors:
            currency = _currency_of(row)  # settled: AmountWidget refused it otherwise
            if currency:
                instance.currency = currency
        if (
            "countries" in row and "countries" not in errors and "is_global" not in errors
            and self.fields["countries"].widget.says_global(row["countries"])
        ):
            if "is_global" in row and cell_text(row["is_global"]) and not instance.is_global:
                errors["is_global"] = [
                    _("The countries column says the pledge acts globally but this column says "
                      "no: correct one of them.")
                ]
            else:
                instance.is_global = True
        # A pledge keeps only its own type's details (pledges.services._write clears them in
        # the form): a file that gives another type's detail is asked what it means.
        for name, empty in other_type_details(instance.pledge_type).items():
            if name.startswith("usd_"):  # computed by the portal, never in the file
                setattr(instance, name, empty)
            elif name not in errors and getattr(instance, name) not in (empty, None, ""):
                errors[name] = [
                    _("This is not a detail of a pledge of type “%(type)s”: leave it empty, or "
                      "give the pledge the type it belongs to.")
                    % {"type": instance.get_pledge_type_display() or "—"}
                ]
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        skip = super().skip_row(instance, original, row, import_validation_errors)
        # Without a currency column the currency comes with the amount ("EUR 1,000,000"), and
        # without an is_global column "Global" comes with the countries: a change too.
        for column in ("currency", "is_global"):
            if (not import_validation_errors and column not in row
                    and instance._import_snapshot.get(column) != getattr(instance, column)):
                self._changed.append(column)
                skip = False
        return skip

    def form_fields(self) -> dict:
        """The member's pledge form, section by section: an import accepts what it accepts."""
        fields = super().form_fields()
        for form in (BasicsForm, DetailsForm, GeographyForm, PartnersForm):
            for name, field in form.base_fields.items():
                if not isinstance(field, ModelChoiceField):
                    fields[name] = field
        return fields

    def before_save_instance(self, instance, row, **kwargs):
        now = timezone.now()
        missing = self._missing(instance)
        if instance._import_new:
            if missing:
                # Valid but not complete: a draft of its entity, whose administrators are
                # invited to complete and submit it once the import is done.
                instance._import_missing = [str(m.message) for m in missing]
            else:
                # Submitted as a member's submission is, the counter locked from the first new
                # pledge to the end of the import.
                self._submissions.submit(instance, now)
            instance.created_at = now
        else:
            # Read and locked before the first row (prefetch_existing): its status is current.
            if instance.status in (S.DRAFT, S.CHANGES_REQUESTED):
                raise ValidationError(
                    _("%(pledge)s is with its entity (%(status)s): an import cannot change it now.")
                    % {"pledge": instance.reference or instance.title,
                       "status": Pledge.Status(instance.status).label}
                )
            if missing:
                # Under review or public: an import cannot take it back to its entity.
                raise ValidationError({NON_FIELD_ERRORS: [ValidationError(
                    _("The pledge is not complete: %(missing)s")
                    % {"missing": " ".join(str(m.message) for m in missing)},
                    code="incomplete",
                )]})
            instance.version += 1
        not_vetted = workflow.entity_not_vetted(instance.entity) if instance.entity_id else ""
        if not_vetted:
            instance._import_warnings.append(not_vetted)
        snapshot = instance._import_snapshot
        if (
            instance._import_new
            or snapshot.get("amount") != instance.amount
            or snapshot.get("currency") != instance.currency
        ):
            pledge_convert(instance, month=instance.amount_month, rates=self._rates)

    def _missing(self, instance) -> list:
        """What the pledge would lack for submission after the import (the same rules as a
        member's submission), read from the values about to be written."""
        pending = getattr(instance, "_import_pending", {})
        related = {}
        for name in ("action_areas", "regions", "countries", "targets"):
            if name in pending:
                value = pending[name]
                related[name] = TargetsColumn.unsaved(value) if name == "targets" else value
            elif instance._import_new:
                related[name] = []
        return missing_for_submission(instance, related=related)

    def incomplete_despite_errors(self, instance, invalid: set[str]) -> str:
        pending = getattr(instance, "_import_pending", {})
        related = {}
        for name in ("action_areas", "regions", "countries", "targets"):
            if name in pending:
                value = pending[name]
                related[name] = TargetsColumn.unsaved(value) if name == "targets" else value
            elif instance._import_new or name in invalid:
                related[name] = []
        # What an invalid cell also leaves empty is not a second problem: without a readable
        # amount there is no currency from it; without readable countries, no geography.
        follows = {"currency": {"amount"}, "countries": {"countries", "regions", "is_global"}}
        missing = [
            m for m in missing_for_submission(instance, related=related)
            if m.field.split("-")[0] not in invalid
            and not (follows.get(m.field, set()) & invalid)
        ]
        if not missing:
            return ""
        return _("The pledge is not complete either: %(missing)s") % {
            "missing": " ".join(str(m.message) for m in missing)}

    def after_write(self, new, updated):
        self._submissions.record()
        drafts = [pledge.pk for pledge in new if pledge.status == S.DRAFT]
        if drafts and self.file_import is not None:
            # Once the import is committed: one email per entity to its administrators.
            file_import_id = self.file_import.pk
            transaction.on_commit(
                lambda: import_drafts.imported_drafts_invite_later(file_import_id=file_import_id)
            )
