"""What the API returns: the public fields the public pages show (the open-data columns of
pledges.open_data), codes stable across languages, labels in the request's language."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from pledges.models import Pledge, PledgeType


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
    indicator = serializers.CharField()
    unit = serializers.CharField()
    baseline = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True,
                                        coerce_to_string=True)
    target_value = serializers.DecimalField(max_digits=20, decimal_places=2,
                                            coerce_to_string=True)
    target_date = serializers.DateField()


class PledgeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField(allow_null=True)
    url = serializers.SerializerMethodField(help_text="The pledge's public page.")
    title = serializers.SerializerMethodField(
        help_text="In the requested language where the entity gave a translation.")
    summary = serializers.SerializerMethodField()
    text_language = serializers.SerializerMethodField(
        help_text="Language of title and summary as returned (empty if not stated).")
    description = serializers.CharField(help_text="As written by the entity.")
    pledge_type = serializers.SerializerMethodField()
    status = serializers.ChoiceField(
        choices=[Pledge.Status.PUBLISHED, Pledge.Status.COMPLETED])
    published_at = serializers.DateTimeField(allow_null=True)
    changed_at = serializers.DateTimeField(
        help_text="When the pledge last changed for the public: order and `updated_since` "
                  "use it.")
    entity = EntityRef()
    co_pledgers = EntityRef(many=True)
    other_partners = serializers.CharField()
    event = serializers.SerializerMethodField(help_text="Where the pledge was announced.")
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

    def _text(self, pledge) -> dict:
        cached = getattr(pledge, "_api_text", None)
        if cached is None:
            cached = pledge._api_text = pledge.text_in(_language())
        return cached

    def get_url(self, pledge) -> str:
        return _absolute(self.context.get("request"), pledge.get_absolute_url())

    def get_title(self, pledge) -> str:
        return self._text(pledge)["title"]

    def get_summary(self, pledge) -> str:
        return self._text(pledge)["summary"]

    def get_text_language(self, pledge) -> str:
        return self._text(pledge)["language"]

    @extend_schema_field(CodeName(allow_null=True))
    def get_event(self, pledge):
        if pledge.event is None:
            return None
        return {"code": pledge.event.slug, "name": pledge.event.name}

    @extend_schema_field(CodeName(allow_null=True))
    def get_pledge_type(self, pledge):
        if not pledge.pledge_type:
            return None
        return {"code": pledge.pledge_type, "name": str(PledgeType(pledge.pledge_type).label)}


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
