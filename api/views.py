"""The open API, read-only: thin views over the apps' public selectors (never a second
definition of "public"). Every collection: cursor pages in a stable order, `updated_since`
where the data records its changes, unknown parameters or values refused with a 400 naming them.
Every answer: labels in the language asked for (`?lang=` or Accept-Language), an ETag and, where
known, Last-Modified, and 304 when the client has it already."""

import datetime
import hashlib

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.http import http_date, quote_etag
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.response import Response

from action_areas import selectors as action_area_selectors
from members.selectors import entity_get_public, entity_list_public
from p2c_portal.page_cache import public_page
from p2c_portal.query_params import database_id, one_of
from pledges import filters as pledge_filters_module
from pledges import selectors as pledge_selectors
from reporting.selectors.compiled_reports import compiled_reports_published
from reporting.selectors.goals import Slice, goal_figures, goal_list_public
from reporting.selectors.progress import progress_reports_public

from . import serializers
from .documents import pledge_documents, pledge_page_rows
from .errors import InvalidParameter
from .pagination import MAX_PAGE_SIZE, StableCursorPagination, row_position

COMMON_PARAMETERS = {"lang", "cursor", "page_size"}
MAX_QUERY_VALUES = 200  # parameters × values: beyond any real filter

LANG_PARAMETER = OpenApiParameter(
    "lang", OpenApiTypes.STR, enum=[code for code, _name in settings.LANGUAGES],
    description="Language of the labels (else Accept-Language); codes never change.",
)
REFERENCE_UPDATED_SINCE_PARAMETER = OpenApiParameter(
    "updated_since", OpenApiTypes.DATETIME,
    description="Accepted as on every collection, but this short reference list records no "
                "moment of change per row: it always comes whole. To know cheaply whether it "
                "changed, send the ETag you have in If-None-Match (304 if not).",
)
UPDATED_SINCE_PARAMETER = OpenApiParameter(
    "updated_since", OpenApiTypes.DATETIME,
    description="Only what changed at or after this moment (ISO 8601; without a time zone: "
                "UTC). Rows come in the order of `changed_at`: keep the last one you read.",
)


def _moment(value: str):
    """An ISO 8601 moment or date (UTC when it names no time zone), else None."""
    value = value.strip()
    if len(value) > 40:
        return None
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            if day is None:
                return None
            moment = datetime.datetime.combine(day, datetime.time.min)
        if timezone.is_naive(moment):
            moment = moment.replace(tzinfo=datetime.UTC)
        # In UTC: PostgreSQL refuses offsets that Python accepts (+21:22).
        return moment.astimezone(datetime.UTC)
    except (ValueError, OverflowError):
        return None


class PublicApiView:
    """What every API view shares: parameters checked, language, conditional answers."""

    allowed_parameters: frozenset = frozenset()
    pagination_class = StableCursorPagination

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self._check_parameters(request)

    def _check_parameters(self, request):
        query = request.query_params
        allowed = COMMON_PARAMETERS | self.allowed_parameters
        if sum(len(query.getlist(name)) for name in query) > MAX_QUERY_VALUES:
            raise InvalidParameter("", _("Too many query parameters."))
        for name in sorted(query):
            if name not in allowed:
                raise InvalidParameter(
                    name[:60], _("Unknown parameter “%(name)s”.") % {"name": name[:60]})
        language = query.get("lang")
        if language is not None:
            code = one_of(language, [code for code, _name in settings.LANGUAGES])
            if code is None:
                raise InvalidParameter("lang", _("lang must be one of: %(codes)s.") % {
                    "codes": ", ".join(code for code, _name in settings.LANGUAGES)})
            translation.activate(code)
            request.LANGUAGE_CODE = code

    def updated_since(self):
        raw = self.request.query_params.get("updated_since")
        if raw is None:
            return None
        moment = _moment(raw)
        if moment is None:
            raise InvalidParameter("updated_since", _(
                "updated_since must be a date or a moment in ISO 8601, e.g. "
                "2026-01-31T12:00:00Z."))
        return moment

    def day(self, name: str, example: str = "2024-12-13"):
        """The day in parameter `name` (ISO 8601), None if absent; a 400 naming it if bad."""
        raw = self.request.query_params.get(name)
        if raw is None:
            return None
        try:
            day = parse_date(raw.strip()) if len(raw) <= 10 else None
        except ValueError:
            day = None
        if day is None:
            raise InvalidParameter(name, _("%(name)s must be a day in ISO 8601, e.g. "
                                           "%(example)s.") % {"name": name, "example": example})
        return day

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        response["Content-Language"] = translation.get_language()
        patch_vary_headers(response, ["Accept-Language", "Authorization"])
        patch_cache_control(response, public=True, max_age=60)
        response.render()
        etag = quote_etag(hashlib.sha256(response.content).hexdigest()[:32])
        response["ETag"] = etag
        moment = getattr(self, "_last_modified", None)
        if moment is not None:
            response["Last-Modified"] = http_date(moment.timestamp())
        return get_conditional_response(
            request, etag=etag, last_modified=int(moment.timestamp()) if moment else None,
            response=response,
        )

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        moments = [row_position(row, self.cursor_field)[0] for row in self.paginator.rows]
        moments = [m for m in moments if isinstance(m, datetime.datetime)]
        self._last_modified = max(moments) if moments else None
        return response


def _pledge_filters(request):
    """The public list's filters and validation. Their reference lists (areas, countries…) are
    read only when a facet is asked for: an unfiltered or syncing page needs none of them."""
    query = request.query_params
    if any(name in query for name in pledge_filters_module.FACET_NAMES):
        pledge_filters = pledge_selectors.pledge_filters_from_query(query)
    else:
        pledge_filters = pledge_filters_module.PledgeFilters.from_query(query, {})
    if pledge_filters.rejected:
        name = pledge_filters.rejected[0]
        raise InvalidParameter(name, _("Unknown value for “%(name)s”: see the codes of "
                                       "/api/v1/action-areas/, /api/v1/countries/ and the "
                                       "API guide.") % {"name": name})
    return pledge_filters


PLEDGE_FILTER_PARAMETERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="Words to search for."),
    *(OpenApiParameter(name, OpenApiTypes.STR, many=True, explode=True,
                       description=f"Filter, as on the public list: {name} code(s).")
      for name in pledge_filters_module.FACET_NAMES),
    OpenApiParameter("entity", OpenApiTypes.INT, description="Pledges of, or co-pledged by, "
                     "this entity."),
    UPDATED_SINCE_PARAMETER,
    LANG_PARAMETER,
]


@extend_schema_view(get=extend_schema(parameters=PLEDGE_FILTER_PARAMETERS,
                                      summary="Public pledges"))
class PledgeList(PublicApiView, generics.ListAPIView):
    """Documents built from rows (api.documents), not serialized instances: the speed of a
    page of 100 at 100,000 pledges."""

    serializer_class = serializers.PledgeSerializer
    cursor_field = "changed_at"
    allowed_parameters = frozenset({*pledge_filters_module.FACET_NAMES, "q", "entity",
                                    "updated_since"})

    def get_queryset(self):
        return pledge_page_rows(pledge_selectors.pledge_changes_public(
            _pledge_filters(self.request), changed_since=self.updated_since()))

    def list(self, request, *args, **kwargs):
        rows = self.paginate_queryset(self.get_queryset())
        moments = [row["changed_at"] for row in rows]
        self._last_modified = max(moments) if moments else None
        return self.get_paginated_response(pledge_documents(rows, request))


ID_PARAMETER = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)


@extend_schema_view(get=extend_schema(parameters=[ID_PARAMETER, LANG_PARAMETER],
                                      summary="A public pledge"))
class PledgeDetail(PublicApiView, generics.RetrieveAPIView):
    serializer_class = serializers.PledgeSerializer

    def retrieve(self, request, *args, **kwargs):
        rows = list(pledge_page_rows(pledge_selectors.pledge_changes_public(
            pledge_filters_module.PledgeFilters()
        ).filter(pk=database_id(str(self.kwargs["pk"])) or 0)))
        if not rows:
            raise Http404
        self._last_modified = rows[0]["changed_at"]
        return Response(pledge_documents(rows, request)[0])


@extend_schema_view(get=extend_schema(
    parameters=[UPDATED_SINCE_PARAMETER, LANG_PARAMETER],
    summary="Pledges removed from the public set (tombstones)",
    description="A pledge the public saw and sees no more (withdrawn, its entity suspended…): "
                "delete it from your copy. Read it with the same `updated_since` as "
                "/api/v1/pledges/ on every sync. Only ids and moments."))
class PledgeRemovalList(PublicApiView, generics.ListAPIView):
    serializer_class = serializers.PledgeRemovalSerializer
    cursor_field = "removed_at"
    allowed_parameters = frozenset({"updated_since"})

    def get_queryset(self):
        return pledge_selectors.pledge_removals_public(
            removed_since=self.updated_since()).values("id", "removed_at")

    def list(self, request, *args, **kwargs):
        rows = self.paginate_queryset(self.get_queryset())
        self._last_modified = max((row["removed_at"] for row in rows), default=None)
        return self.get_paginated_response(
            self.get_serializer(rows, many=True).data)


@extend_schema_view(get=extend_schema(
    parameters=[OpenApiParameter("q", OpenApiTypes.STR, description="Name or acronym."),
                OpenApiParameter("stakeholder", OpenApiTypes.STR),
                OpenApiParameter("country", OpenApiTypes.STR,
                                 description="Headquarters country, ISO 3166-1 alpha-3."),
                UPDATED_SINCE_PARAMETER, LANG_PARAMETER],
    summary="Approved entities (public fields)"))
class EntityList(PublicApiView, generics.ListAPIView):
    serializer_class = serializers.EntitySerializer
    cursor_field = "updated_at"
    allowed_parameters = frozenset({"q", "stakeholder", "country", "updated_since"})

    def get_queryset(self):
        query = self.request.query_params
        options = pledge_selectors.pledge_filter_options()
        for name, option in (("stakeholder", "stakeholder"), ("country", "country")):
            value = query.get(name)
            if value is not None and value.upper() not in {
                    v.upper() for v, _label in options[option]}:
                raise InvalidParameter(name, _("Unknown value for “%(name)s”.") % {"name": name})
        entities = entity_list_public(
            query=query.get("q", ""), group=query.get("stakeholder", ""),
            country=query.get("country", ""),
        ).order_by("updated_at", "pk")
        since = self.updated_since()
        if since is not None:
            entities = entities.filter(updated_at__gte=since)
        return entities


@extend_schema_view(get=extend_schema(parameters=[ID_PARAMETER, LANG_PARAMETER],
                                      summary="An entity"))
class EntityDetail(PublicApiView, generics.RetrieveAPIView):
    serializer_class = serializers.EntitySerializer

    def get_object(self):
        entity = entity_get_public(database_id(str(self.kwargs["pk"])) or 0)
        self._last_modified = entity.updated_at
        return entity


@extend_schema_view(get=extend_schema(
    parameters=[OpenApiParameter("date", OpenApiTypes.DATE,
                                 description="Groupings (LDC, LLDC, SIDS) as of this day "
                                             "(default: today)."),
                REFERENCE_UPDATED_SINCE_PARAMETER, LANG_PARAMETER],
    summary="Countries with their groupings as of a date"))
class CountryList(PublicApiView, generics.ListAPIView):
    serializer_class = serializers.CountrySerializer
    cursor_field = "iso3"
    allowed_parameters = frozenset({"date", "updated_since"})

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["date"] = self.day("date") or timezone.localdate()
        return context

    def get_queryset(self):
        self.updated_since()  # checked, then the whole list (REFERENCE_UPDATED_SINCE_PARAMETER)
        return action_area_selectors.country_list_with_groupings()


@extend_schema_view(get=extend_schema(parameters=[REFERENCE_UPDATED_SINCE_PARAMETER,
                                                  LANG_PARAMETER],
                                      summary="Action areas and their pillars"))
class ActionAreaList(PublicApiView, generics.ListAPIView):
    serializer_class = serializers.ActionAreaSerializer
    cursor_field = "code"
    allowed_parameters = frozenset({"updated_since"})

    def get_queryset(self):
        self.updated_since()  # checked, then the whole list (REFERENCE_UPDATED_SINCE_PARAMETER)
        return action_area_selectors.action_area_list_with_pillars()


@extend_schema_view(get=extend_schema(parameters=[REFERENCE_UPDATED_SINCE_PARAMETER,
                                                  LANG_PARAMETER],
                                      summary="The catalogue of indicators targets count "
                                              "towards"))
class IndicatorList(PublicApiView, generics.ListAPIView):
    serializer_class = serializers.IndicatorSerializer
    cursor_field = "code"
    allowed_parameters = frozenset({"updated_since"})

    def get_queryset(self):
        self.updated_since()
        return action_area_selectors.indicator_list_public()


@extend_schema_view(get=extend_schema(
    parameters=[OpenApiParameter("as_of", OpenApiTypes.DATE,
                                 description="Figures as of this day (default: today)."),
                REFERENCE_UPDATED_SINCE_PARAMETER, LANG_PARAMETER],
    summary="Coalition goals with committed and achieved values"))
class GoalList(PublicApiView, generics.ListAPIView):
    """The Goals page's goals and figures (reporting.selectors.goals), a page of goals at a
    time: at most four queries for the figures, whatever the number of goals or pledges."""

    serializer_class = serializers.GoalSerializer
    cursor_field = "code"
    allowed_parameters = frozenset({"as_of", "updated_since"})

    def get_queryset(self):
        self.updated_since()
        return goal_list_public().order_by("code", "pk")

    def as_of(self):
        if not hasattr(self, "_as_of"):
            self._as_of = self.day("as_of") or timezone.localdate()
        return self._as_of

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "as_of": self.as_of()}

    def list(self, request, *args, **kwargs):
        goals = self.paginate_queryset(self.get_queryset())
        figures = goal_figures([(goal, Slice()) for goal in goals], as_of=self.as_of())
        return self.get_paginated_response(self.get_serializer(figures, many=True).data)


@extend_schema_view(get=extend_schema(parameters=[UPDATED_SINCE_PARAMETER, LANG_PARAMETER],
                                      summary="Public progress reports"))
class ProgressReportList(PublicApiView, generics.ListAPIView):
    serializer_class = serializers.ProgressReportSerializer
    cursor_field = "updated_at"
    allowed_parameters = frozenset({"updated_since"})

    def get_queryset(self):
        return progress_reports_public(changed_since=self.updated_since())


@extend_schema_view(get=extend_schema(parameters=[UPDATED_SINCE_PARAMETER, LANG_PARAMETER],
                                      summary="Published compiled reports and their files"))
class CompiledReportList(PublicApiView, generics.ListAPIView):
    serializer_class = serializers.CompiledReportSerializer
    cursor_field = "published_at"
    allowed_parameters = frozenset({"updated_since"})

    def get_queryset(self):
        reports = compiled_reports_published(translation.get_language()).order_by(
            "published_at", "pk")
        since = self.updated_since()
        if since is not None:
            reports = reports.filter(published_at__gte=since)
        return reports


@public_page
def api_guide(request):
    """The API's guide with the interactive reference (Swagger UI from the package's files)."""
    return render(request, "api/guide.html", {
        "max_page_size": MAX_PAGE_SIZE,
        "rate_anonymous": settings.ACCOUNT_RATE_LIMITS["api_anonymous"],
        "rate_token": settings.ACCOUNT_RATE_LIMITS["api_token"],
    })
