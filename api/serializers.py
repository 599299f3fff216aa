"""What the API returns: the public fields the public pages show (the open-data columns of
pledges.open_data), codes stable across languages, labels in the request's language."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from pledges.models import Pledge


def _language() -> str:
    return get_language() or settings.LANGUAGE_CODE


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


class CodeName(serializers.Serializer):
    """A reference datum: its code (stable) and its name (in the requested language)."""

    code = serializers.CharField(help_text="Stable code, the same in every language.")
    name = serializers.CharField(help_text="Label in the requested language.")

    def to_representation(self, instance):
        return {"code": instance.code, "name": instance.name}


class CountryRef(serializers.Serializer):
    iso3 = serializers.CharField()
    name = serializers.CharField()

    def to_representation(self, instance):
        return {"iso3": instance.iso3, "name": instance.name}


class GoalRef(serializers.Serializer):
    number = serializers.IntegerField()
    name = serializers.CharField()

    def to_representation(self, instance):
        return {"number": instance.number, "name": instance.name}


class EntityRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()

    def to_representation(self, instance):
        return {"id": instance.pk, "name": instance.name}


class TargetSerializer(serializers.Serializer):
    indicator = serializers.CharField(help_text="As the entity words it.")
    indicator_code = serializers.CharField(
        allow_null=True, help_text="The catalogue indicator it counts towards (see "
                                   "/api/v1/indicators/), null if none fits.")
    unit = serializers.CharField()
    baseline = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True,
                                        coerce_to_string=True)
    target_value = serializers.DecimalField(max_digits=20, decimal_places=2,
                                            coerce_to_string=True)
    target_date = serializers.DateField()


class PartnerSerializer(serializers.Serializer):
    entity = EntityRef()
    role = CodeName(help_text="co_pledger, co_implementer, adopter, funder…")
    since = serializers.DateTimeField(allow_null=True, help_text="When the entity accepted.")


class RevisionSerializer(serializers.Serializer):
    in_force_since = serializers.DateTimeField()
    reason = serializers.CharField()


class PledgeSerializer(serializers.Serializer):
    """Describes the documents api.documents builds (from rows, for speed): the schema only."""

    id = serializers.IntegerField()
    reference = serializers.CharField(allow_null=True)
    url = serializers.URLField(help_text="The pledge's public page.")
    title = serializers.CharField(
        help_text="In the requested language where the entity gave a translation.")
    summary = serializers.CharField()
    text_language = serializers.CharField(
        help_text="Language of title and summary as returned (empty if not stated).")
    description = serializers.CharField(help_text="As written by the entity.")
    pledge_type = CodeName(allow_null=True)
    status = serializers.ChoiceField(
        choices=[Pledge.Status.PUBLISHED, Pledge.Status.COMPLETED])
    published_at = serializers.DateTimeField(allow_null=True)
    changed_at = serializers.DateTimeField(
        help_text="When the pledge last changed for the public: order and `updated_since` "
                  "use it.")
    entity = EntityRef()
    co_pledgers = EntityRef(many=True)
    partners = PartnerSerializer(
        many=True, help_text="Entities that accepted a role in the pledge (invitations and "
                             "declined ones are not shown).")
    other_partners = serializers.CharField()
    event = CodeName(allow_null=True, help_text="Where the pledge was announced.")
    start_date = serializers.DateField(allow_null=True)
    end_date = serializers.DateField(allow_null=True)
    action_areas = CodeName(many=True)
    pillars = CodeName(many=True)
    is_global = serializers.BooleanField()
    regions = CodeName(many=True)
    countries = CountryRef(many=True)
    beneficiary_groups = CodeName(many=True)
    sdgs = GoalRef(many=True)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    currency = serializers.CharField()
    usd_amount = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    usd_rate_is_test_data = serializers.BooleanField()
    modality = serializers.CharField()
    policy_instrument = serializers.CharField()
    policy_stage = serializers.CharField()
    jurisdiction = serializers.CharField()
    advocacy_activities = serializers.ListField(child=serializers.CharField())
    audience = serializers.CharField()
    programme_kind = serializers.CharField()
    people_to_reach = serializers.IntegerField(allow_null=True)
    targets = TargetSerializer(many=True)
    revisions = RevisionSerializer(
        many=True, help_text="Approved amendments, oldest first (the pledge as shown is the "
                             "latest version).")


class PledgeRemovalSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The pledge that left the public set.")
    removed_at = serializers.DateTimeField(
        help_text="When it left: order and `updated_since` use it.")


class EntitySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    acronym = serializers.CharField()
    stakeholder_group = serializers.SerializerMethodField()
    website = serializers.CharField()
    description = serializers.CharField()
    headquarters_country = CountryRef(allow_null=True)
    url = serializers.SerializerMethodField()
    changed_at = serializers.DateTimeField(source="updated_at")

    @extend_schema_field(CodeName())
    def get_stakeholder_group(self, entity):
        return {"code": entity.stakeholder_group, "name": entity.get_stakeholder_group_display()}

    def get_url(self, entity) -> str:
        return _absolute(self.context.get("request"), entity.get_absolute_url())


class CountrySerializer(serializers.Serializer):
    iso3 = serializers.CharField()
    iso2 = serializers.CharField()
    name = serializers.CharField()
    region = CodeName()
    groups = serializers.SerializerMethodField(
        help_text="LDC, LLDC, SIDS: the groupings the country belonged to on `date`.")

    def get_groups(self, country) -> list[str]:
        return country.groups_on(self.context["date"])


class PillarSerializer(CodeName):
    pass


class ActionAreaSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    pillars = CodeName(many=True, source="active_pillars")


class TargetProgressSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    unit = serializers.CharField()
    baseline = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    target_value = serializers.DecimalField(max_digits=20, decimal_places=2)
    achieved_value = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)


class ProgressReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    pledge = serializers.IntegerField(source="pledge_id")
    entity = EntityRef(help_text="Who filed it: the pledging entity, or a partner of the pledge "
                                 "reporting its own share (issue 18).")
    cycle = serializers.SerializerMethodField()
    implementation_status = serializers.CharField()
    percent_complete = serializers.IntegerField(allow_null=True)
    amount_disbursed = serializers.DecimalField(max_digits=16, decimal_places=2,
                                                allow_null=True)
    currency = serializers.CharField()
    usd_disbursed = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    narrative = serializers.CharField()
    evidence_links = serializers.ListField(child=serializers.CharField())
    submitted_at = serializers.DateTimeField(allow_null=True)
    targets = TargetProgressSerializer(many=True, source="target_progress.all")
    changed_at = serializers.DateTimeField(source="updated_at")

    @extend_schema_field(CodeName())
    def get_cycle(self, report):
        return {"code": str(report.cycle_id), "name": report.cycle.name}


class ReportFileSerializer(serializers.Serializer):
    format = serializers.CharField()
    language = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.SerializerMethodField()

    def get_url(self, report_file) -> str:
        path = reverse("reporting:compiled_report_file",
                       args=[report_file.run_id, report_file.language, report_file.format])
        return _absolute(self.context.get("request"), path)


class CompiledReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    as_of = serializers.DateField(allow_null=True)
    published_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField()
    files = ReportFileSerializer(many=True, source="downloads")
    changed_at = serializers.DateTimeField(source="published_at")

    def get_url(self, run) -> str:
        return _absolute(self.context.get("request"), run.get_absolute_url())


class IndicatorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable code; targets name it in `indicator_code`.")
    name = serializers.CharField()
    definition = serializers.CharField()
    unit = serializers.CharField()
    aggregation = serializers.ChoiceField(
        choices=["sum", "max", "none"],
        help_text="How targets add up: summed, their maximum, or not combinable.")
    disaggregations = serializers.ListField(child=serializers.CharField())
    action_areas = CodeName(many=True, help_text="Empty: it fits every area.")


class GoalScopeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["all", "action_area", "country_group", "region"])
    code = serializers.CharField(allow_null=True,
                                 help_text="The area, group (LDC, LLDC, SIDS) or region code.")


class GoalSerializer(serializers.Serializer):
    """A coalition goal with its figures as of a date (reporting.selectors.goals: the Goals
    page's own)."""

    code = serializers.CharField(source="goal.code")
    name = serializers.CharField(source="goal.name")
    url = serializers.SerializerMethodField(help_text="The goal's public page.")
    measure = serializers.ChoiceField(choices=["indicator", "usd"], source="goal.measure")
    indicator_code = serializers.SerializerMethodField(
        help_text="The catalogue indicator it adds up (null for USD committed).")
    unit = serializers.CharField(source="goal.unit")
    target_value = serializers.DecimalField(max_digits=20, decimal_places=2,
                                            source="goal.target_value")
    target_date = serializers.DateField(source="goal.target_date")
    scope = serializers.SerializerMethodField()
    as_of = serializers.SerializerMethodField()
    committed = serializers.DecimalField(
        max_digits=24, decimal_places=2, allow_null=True,
        help_text="Target values of the public pledges (null: the indicator does not add up).")
    achieved = serializers.DecimalField(
        max_digits=24, decimal_places=2, allow_null=True,
        help_text="Latest values reported in public progress reports.")
    pledges = serializers.IntegerField(help_text="Pledges counted.")
    targets = serializers.IntegerField(help_text="Targets counted.")

    def get_url(self, figures) -> str:
        return _absolute(self.context.get("request"), figures.goal.get_absolute_url())

    def get_indicator_code(self, figures) -> str | None:
        return figures.goal.indicator.code if figures.goal.indicator_id else None

    @extend_schema_field(GoalScopeSerializer())
    def get_scope(self, figures):
        goal = figures.goal
        code = {"action_area": goal.action_area.code if goal.action_area_id else None,
                "country_group": goal.country_group or None,
                "region": goal.region.code if goal.region_id else None}.get(goal.scope)
        return {"kind": goal.scope, "code": code}

    @extend_schema_field(serializers.DateField())
    def get_as_of(self, figures):
        return self.context["as_of"].isoformat()
