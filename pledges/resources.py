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

The status is never imported. A new pledge arrives as "submitted", with a reference, for the
normal review: pledges.workflow.BulkSubmission submits it as a member's submission would (audit
row "Imported from <file> by <person>", no email), in bulk; an existing pledge keeps
its status, and one that is back with its entity for changes (draft, changes requested) is not
changed by an import. Every update bumps the pledge's version, so a member or secretariat form
opened before the import cannot overwrite it; the pledges a file updates are read and locked before
its first row, so that nothing a row is checked against changes before it is written. A pledge
must be complete after the import (the same rules as a member's submission), or the row is
refused.
"""

from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext as _

from action_areas.models import (
    ActionArea,
    BeneficiaryGroup,
    Pillar,
    Region,
    SustainableDevelopmentGoal,
)
from members.resources import EntityLabels, country_index, entity_index
from spreadsheets.files import cell_text, fold, parse_date
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

from . import services, workflow
from .amounts import AmountError, parse_amount
from .completeness import missing_for_submission
from .currencies import currency_from_text
from .models import (
    AdvocacyActivity,
    Event,
    FinancialModality,
    Pledge,
    PledgeType,
    PolicyInstrument,
    PolicyStage,
    ProgrammeKind,
    Target,
    other_type_details,
)
from .rates import pledge_convert

S = Pledge.Status
MAX_TARGET_DECIMALS = 2


# --- Cells specific to pledges --------------------------------------------------------------------


def _amount(text: str) -> tuple[Decimal, str]:
    try:
        return parse_amount(text)
    except AmountError as error:
        raise ValueError(str(error)) from None


class AmountWidget(DecimalWidget):
    """ "1,000,000", "1 000 000", "USD 1,000,000", "1.000.000,50" (pledges.amounts)."""

    def clean(self, value, row=None, **kwargs):
        if cell_text(value) == "":
            return None
        return decimal_from_cell(value, _amount)


class CurrencyWidget(TextWidget):
    """An ISO 4217 code in use, or its English or French name; empty: the code written with the
    amount."""

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        from_amount = _currency_in_amount(row)
        if not text:
            return from_amount
        code = currency_from_text(text)
        if not code:
            raise ValueError(
                _("“%(text)s” is not a currency: write its three-letter code, e.g. USD, EUR, XOF.")
                % {"text": text[:40]}
            )
        if from_amount and from_amount != code:
            raise ValueError(
                _("The amount is in %(amount)s but the currency column says %(currency)s.")
                % {"amount": from_amount, "currency": code}
            )
        return code


def _currency_in_amount(row) -> str:
    text = (row or {}).get("amount")
    if not isinstance(text, str) or not text.strip():
        return ""
    try:
        return parse_amount(text)[1]
    except AmountError:
        return ""


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


class TargetsWidget(TextWidget):
    """One target a line: indicator | unit | baseline | target value | target date (the baseline
    may be left out: indicator | unit | target value | target date)."""

    def clean(self, value, row=None, **kwargs):
        targets = []
        for number, line in enumerate(
            [line for line in cell_text(value).splitlines() if line.strip()], 1
        ):
            parts = [part.strip() for part in line.split("|")]
            if len(parts) == 4:
                parts.insert(2, "")
            if len(parts) != 5:
                raise ValueError(
                    _("Target %(number)d: write “indicator | unit | baseline | target value | "
                      "target date”, one target a line (the baseline may be left empty).")
                    % {"number": number}
                )
            indicator, unit, baseline, target_value, target_date = parts
            try:
                if not indicator or not unit or not target_value or not target_date:
                    raise ValueError(_("the indicator, unit, target value and target date are "
                                       "required"))
                if len(indicator) > 200 or len(unit) > 50:
                    raise ValueError(_("the indicator is at most 200 characters, the unit 50"))
                baseline_number = _number(baseline) if baseline else None
                targets.append((indicator, unit, baseline_number, _number(target_value),
                                parse_date(target_date)))
            except ValueError as error:
                raise ValueError(
                    _("Target %(number)d: %(error)s") % {"number": number, "error": error}
                ) from None
        if len(targets) > services.MAX_TARGETS:
            raise ValueError(_("A pledge can have at most %(max)d targets.")
                             % {"max": services.MAX_TARGETS})
        return targets

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return "\n".join(
            " | ".join([
                t.indicator, t.unit, "" if t.baseline is None else format(t.baseline, "f"),
                format(t.target_value, "f"), t.target_date.isoformat(),
            ])
            for t in value.all()
        )


def _number(text: str) -> Decimal:
    number, _currency = _amount(text)
    if -number.as_tuple().exponent > MAX_TARGET_DECIMALS:
        raise ValueError(_("“%(text)s” has more than two decimals") % {"text": text})
    return number


class TargetsColumn(StashedColumn):
    def current(self, instance):
        if instance.pk is None:
            return []
        return [
            (t.indicator, t.unit, t.baseline, t.target_value, t.target_date)
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
            for position, (indicator, unit, baseline, target_value, target_date) in enumerate(
                value
            ):
                if position < len(existing):
                    target = existing[position]
                    changed.append(target)
                else:
                    target = Target(pledge=instance)
                    created.append(target)
                target.position = position
                target.indicator, target.unit, target.baseline = indicator, unit, baseline
                target.target_value, target.target_date = target_value, target_date
            surplus.extend(target.pk for target in existing[len(value):])
        Target.objects.bulk_create(created, batch_size=WRITE_BATCH)
        if changed:
            bulk_update(Target, changed, ["position", "indicator", "unit", "baseline",
                                          "target_value", "target_date"])
        if surplus:
            Target.objects.filter(pk__in=surplus).delete()

    @staticmethod
    def unsaved(value) -> list[Target]:
        """The targets of a cleaned cell, as the completeness check reads them."""
        return [
            Target(indicator=indicator, unit=unit, baseline=baseline, target_value=target_value,
                   target_date=target_date, position=position)
            for position, (indicator, unit, baseline, target_value, target_date)
            in enumerate(value)
        ]


class CountriesWidget(IndexWidget):
    def clean(self, value, row=None, **kwargs):
        countries = super().clean(value, row, **kwargs)
        if len(countries) > services.MAX_COUNTRIES:
            raise ValueError(_("Choose at most %(max)d countries.")
                             % {"max": services.MAX_COUNTRIES})
        return countries


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
                    aliases=("entity name", "organisation", "organization"))
    title = Column(attribute="title", widget=TextWidget())
    summary = Column(attribute="summary", widget=TextWidget())
    description = Column(attribute="description", widget=TextWidget())
    pledge_type = Column(attribute="pledge_type", widget=ChoiceWidget(PledgeType),
                         aliases=("type",))
    event = Column(attribute="event", compare="event_id",
                   widget=IndexWidget(render_one=lambda event: event.slug))
    start_date = Column(attribute="start_date", widget=DateWidget())
    end_date = Column(attribute="end_date", widget=DateWidget())
    action_areas = StashedColumn(attribute="action_areas",
                                 widget=IndexWidget(multiple=True, render_one=lambda a: a.code))
    pillars = StashedColumn(attribute="pillars",
                            widget=IndexWidget(multiple=True, render_one=lambda p: p.code))
    is_global = Column(attribute="is_global", widget=BooleanWidget())
    regions = StashedColumn(attribute="regions",
                            widget=IndexWidget(multiple=True, render_one=lambda r: r.code))
    countries = StashedColumn(attribute="countries",
                              widget=CountriesWidget(multiple=True, render_one=lambda c: c.iso3))
    beneficiary_groups = StashedColumn(
        attribute="beneficiary_groups",
        widget=IndexWidget(multiple=True, render_one=lambda b: b.code),
    )
    sdgs = StashedColumn(attribute="sdgs",
                         widget=IndexWidget(multiple=True, render_one=lambda g: str(g.number)),
                         aliases=("SDG", "ODD"))
    co_pledgers = StashedColumn(attribute="co_pledgers", widget=IndexWidget(multiple=True))
    other_partners = Column(attribute="other_partners", widget=TextWidget())
    contact_name = Column(attribute="contact_name", widget=TextWidget())
    contact_email = Column(attribute="contact_email", widget=TextWidget())
    amount = Column(attribute="amount", widget=AmountWidget())
    currency = Column(attribute="currency", widget=CurrencyWidget())
    modality = Column(attribute="modality", widget=ChoiceWidget(FinancialModality))
    disbursement_start = Column(attribute="disbursement_start", widget=DateWidget())
    disbursement_end = Column(attribute="disbursement_end", widget=DateWidget())
    policy_instrument = Column(attribute="policy_instrument",
                               widget=ChoiceWidget(PolicyInstrument))
    policy_stage = Column(attribute="policy_stage", widget=ChoiceWidget(PolicyStage))
    jurisdiction = Column(attribute="jurisdiction", widget=TextWidget())
    advocacy_activities = Column(attribute="advocacy_activities",
                                 widget=ChoiceWidget(AdvocacyActivity, multiple=True))
    audience = Column(attribute="audience", widget=TextWidget())
    programme_kind = Column(attribute="programme_kind", widget=ChoiceWidget(ProgrammeKind))
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
    # The currency may come with the amount, without a currency column.
    bookkeeping_fields = ("version", "currency", "amount_month", "usd_amount", "usd_rate",
                          "usd_rate_date", "usd_rate_is_test_data")

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
        self.fields["entity"].widget.render_one = labels
        self.fields["co_pledgers"].widget.render_one = labels

    # --- export

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("entity", "event").prefetch_related(
            "action_areas", "pillars", "regions", "countries__group_memberships",
            "beneficiary_groups", "sdgs", "co_pledgers", "targets",
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
                "co_pledgers", "targets",
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
            currency = _currency_in_amount(row)
            if currency:
                instance.currency = currency
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
        # Without a currency column the currency comes with the amount ("EUR 1,000,000"): a
        # new currency for the same number is a change too.
        if (not import_validation_errors and "currency" not in row
                and instance._import_snapshot.get("currency") != instance.currency):
            self._changed.append("currency")
            return False
        return skip

    def before_save_instance(self, instance, row, **kwargs):
        now = timezone.now()
        if instance._import_new:
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
            instance.version += 1
        snapshot = instance._import_snapshot
        if (
            instance._import_new
            or snapshot.get("amount") != instance.amount
            or snapshot.get("currency") != instance.currency
        ):
            pledge_convert(instance, month=instance.amount_month, rates=self._rates)

    def check_staged(self, instance, row):
        """Complete after the import: the same rules as a member's submission, read from the
        values about to be written."""
        pending = getattr(instance, "_import_pending", {})
        related = {}
        for name in ("action_areas", "regions", "countries", "targets"):
            if name in pending:
                value = pending[name]
                related[name] = TargetsColumn.unsaved(value) if name == "targets" else value
            elif instance._import_new:
                related[name] = []
        missing = missing_for_submission(instance, related=related)
        if missing:
            raise ValidationError({NON_FIELD_ERRORS: [
                _("The pledge is not complete: %(missing)s")
                % {"missing": " ".join(str(m.message) for m in missing)}
            ]})

    def after_write(self, new, updated):
        self._submissions.record()
