"""Import and export of entities (django-import-export), e.g. the organisations that signed up on
paper at a roundtable.

Natural key: the name and the headquarters country (compared without case, accents or extra
spaces); when no entity has that name in that country, the website's domain (www. ignored), if
exactly one entity uses it. Re-importing a file therefore updates the same entities instead of
duplicating them. The status is never imported: a new entity arrives as "applied" and goes
through the normal vetting; existing entities keep theirs.
"""

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from action_areas.country_names import names_of
from action_areas.models import Country
from spreadsheets.files import cell_text, fold, name_key
from spreadsheets.import_engine import (
    WRITE_BATCH,
    BooleanWidget,
    ChoiceWidget,
    Column,
    DateTimeWidget,
    DeskResource,
    IndexWidget,
    NameIndex,
    TextWidget,
)

from .models import Entity, EntityStatusChange, EntitySubType, StakeholderGroup, website_domain


def country_index() -> NameIndex:
    """Countries by any name people write (action_areas.country_names), ignoring case, accents
    and punctuation."""
    return NameIndex(
        _("country"),
        ((c, names_of(c.iso2, c.iso3, c.name_en, c.name_translations))
         for c in Country.objects.prefetch_related("group_memberships")),
        key=name_key,
        label=lambda country: country.name,
    )


def entity_index() -> NameIndex:
    """Entities by name, acronym, "Name (ACRONYM)" or website domain (www. ignored)."""
    return NameIndex(
        _("entity"),
        (
            (e, (e.name, e.acronym, str(e), website_domain(e.website)))
            for e in Entity.objects.only("pk", "name", "acronym", "website")
        ),
    )


class EntityLabels:
    """How an entity is written in exports: its name, or its website domain when another entity
    has the same name (so that the file imports back to the same entity)."""

    def __init__(self):
        self._duplicated: set[str] | None = None

    def __call__(self, entity: Entity) -> str:
        if self._duplicated is None:
            self._duplicated = set(
                Entity.objects.annotate(lower=Lower("name"))
                .values("lower").annotate(n=Count("pk")).filter(n__gt=1)
                .values_list("lower", flat=True)
            )
        if entity.name.lower() in self._duplicated and entity.website:
            return website_domain(entity.website)
        return entity.name


class WebsiteWidget(TextWidget):
    """ "itu.int" or "www.itu.int" is read as https://itu.int."""

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if text and "://" not in text:
            text = "https://" + text
        return text


class EntityResource(DeskResource):
    name = Column(attribute="name", widget=TextWidget())
    acronym = Column(attribute="acronym", widget=TextWidget())
    stakeholder_group = Column(attribute="stakeholder_group",
                               widget=ChoiceWidget(StakeholderGroup))
    sub_type = Column(attribute="sub_type", widget=ChoiceWidget(EntitySubType))
    headquarters_country = Column(
        attribute="headquarters_country", compare="headquarters_country_id",
        widget=IndexWidget(render_one=lambda country: country.iso3),
        aliases=("country", "pays"),
    )
    website = Column(attribute="website", widget=WebsiteWidget())
    description = Column(attribute="description", widget=TextWidget())
    contact_email = Column(attribute="contact_email", widget=TextWidget(), aliases=("email",))
    commitment_evidence = Column(attribute="commitment_evidence", widget=TextWidget())
    commitment_links = Column(attribute="commitment_links", widget=TextWidget())
    pledge_readiness = Column(attribute="pledge_readiness", widget=TextWidget())
    leader_name = Column(attribute="leader_name", widget=TextWidget())
    leader_title = Column(attribute="leader_title", widget=TextWidget())
    leader_attends_roundtable = Column(attribute="leader_attends_roundtable",
                                       widget=BooleanWidget())
    consent_public_reporting = Column(attribute="consent_public_reporting",
                                      widget=BooleanWidget())
    # Exported for information, never imported.
    status = Column(attribute="status", widget=TextWidget(), readonly=True)
    applied_at = Column(attribute="applied_at", widget=DateTimeWidget(), readonly=True)

    not_imported = ("applied_by", "status", "applied_at", "decided_at", "logo_png")

    class Meta(DeskResource.Meta):
        model = Entity
        fields = (
            "name", "acronym", "stakeholder_group", "sub_type", "headquarters_country",
            "website", "description", "contact_email", "commitment_evidence", "commitment_links",
            "pledge_readiness", "leader_name", "leader_title", "leader_attends_roundtable",
            "consent_public_reporting", "status", "applied_at",
        )
        import_order = fields
        export_order = fields

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._by_pk: dict[int, Entity] = {}
        self.fields["headquarters_country"].widget.index_factory = lambda: self.index(
            "country", country_index
        )

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("headquarters_country")

    # --- natural key

    def natural_key(self, row):
        name = fold(row.get("name") or "")
        if not name:
            return None
        return ("name", name, fold(row.get("headquarters_country") or ""))

    def describe_key(self, row) -> str:
        return f"{row.get('name', '')} — {row.get('headquarters_country', '')}"

    def _known(self):
        def build():
            by_name, by_domain = {}, {}
            for pk, name, country_id, website in Entity.objects.values_list(
                "pk", "name", "headquarters_country_id", "website"
            ):
                by_name.setdefault((fold(name), country_id), []).append(pk)
                domain = website_domain(website)
                if domain:
                    by_domain.setdefault(domain, []).append(pk)
            return by_name, by_domain

        return self.index("known entities", build)

    def prefetch_existing(self, rows):
        """The entities the file updates, read in one query."""
        pks = set()
        for row in rows:
            try:
                pk = self._existing_pk(row)
            except ValidationError:
                continue  # reported with its row
            if pk is not None:
                pks.add(pk)
        self._by_pk = Entity.objects.in_bulk(pks) if pks else {}

    def find_existing(self, row):
        pk = self._existing_pk(row)
        if pk is None:
            return None
        return self._by_pk.get(pk) or Entity.objects.get(pk=pk)

    def _existing_pk(self, row) -> int | None:
        by_name, by_domain = self._known()
        country = None
        if row.get("headquarters_country"):
            try:
                country = self.index("country", country_index).find(
                    str(row["headquarters_country"])
                )
            except ValueError:
                country = None
        if row.get("name") and country is not None:
            pks = by_name.get((fold(str(row["name"])), country.pk), [])
            if len(pks) > 1:
                raise ValidationError(
                    _("Several entities are called “%(name)s” in %(country)s: correct them in the "
                      "admin first.") % {"name": row["name"], "country": country}
                )
            if pks:
                return pks[0]
        domain = website_domain(str(row.get("website") or ""))
        if domain:
            pks = by_domain.get(domain, [])
            if len(pks) > 1:
                raise ValidationError(
                    _("Several entities use the website %(domain)s: write the entity's exact "
                      "name and country.") % {"domain": domain}
                )
            if pks:
                return pks[0]
        return None

    # --- saving

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if "consent_public_reporting" not in errors and not instance.consent_public_reporting:
            errors["consent_public_reporting"] = [
                _("The entity must consent to public pledges and yearly reporting: write “yes” "
                  "in this column.")
            ]
        if errors:
            raise ValidationError(errors)

    def after_write(self, new, updated):
        EntityStatusChange.objects.bulk_create(
            [
                EntityStatusChange(
                    entity=entity,
                    actor=None,
                    from_status="",
                    to_status=Entity.Status.APPLIED,
                    message=_("Imported from “%(file)s” by %(user)s.")
                    % {"file": self.file_name or "?", "user": getattr(self.user, "email", "?")},
                )
                for entity in new
            ],
            batch_size=WRITE_BATCH,
        )
