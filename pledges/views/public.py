"""The public site: home, pledge list and detail, country and event pages, open data.

Every page reads only public pledges (published or completed, past any embargo) through
pledges.selectors.

Caching, for a site read by many and changed rarely, that still shows a publication, withdrawal
or edit within a minute:
- an anonymous visitor's page is kept whole for p2c_portal.page_cache.PAGE_CACHE_SECONDS (15),
  keyed by its address; browsers and shared caches may keep it BROWSER_MAX_AGE (15) seconds;
- inside it, the home page's figures and the facet bitsets every list counts and pages from
  (pledges.facet_bitsets) are kept until a public pledge changes
  (public_cache.public_fingerprint); a country's or an event's totals are recomputed after
  public_cache.PUBLIC_CACHE_FRESH (20) seconds, by the first request past it (the others get
  the previous ones meanwhile, PUBLIC_CACHE_STALE (10) seconds at most).
15 + 30 + 15: at most a minute. Pages for a signed-in person, or carrying a one-time message, are
never stored anywhere.
"""

import itertools
import os

from django.conf import settings
from django.http import FileResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from action_areas.selectors import action_area_list
from action_areas.world_map import locator_map_svg
from p2c_portal.page_cache import public_page

from .. import filters, open_data, open_data_files, public_visuals, selectors
from ..models import Pledge, PledgeType


@public_page
def home(request):
    figures = selectors.coalition_figures()
    areas = [
        {"area": area, **figures["by_area"].get(area.code, {"pledges": 0, "usd": None})}
        for area in action_area_list()
    ]
    types = [
        {"value": value, "label": label,
         **figures["by_type"].get(value, {"pledges": 0, "usd": None})}
        for value, label in PledgeType.choices
    ]
    measure = request.GET.get("map")
    measure = measure if measure in public_visuals.MAP_MEASURES else "pledges"
    return render(request, "pledges/home.html", {
        "figures": figures,
        "areas": areas,
        "types": types,
        "latest": selectors.pledge_latest_public(),
        "map": public_visuals.home_map(figures, measure),
        "area_chart": public_visuals.area_chart(areas),
        "stakeholder_chart": public_visuals.stakeholder_chart(figures),
        "timeline": public_visuals.timeline(figures),
    })


def _facet_panels(pledge_filters, counts, options) -> list[dict]:
    """What the filter column shows: per facet, its values with their counts."""
    panels = []
    for spec in filters.FACETS:
        chosen = pledge_filters.values.get(spec.name, [])
        facet_counts = counts.get(spec.name, {})
        if spec.name == "year":
            known = [(year, year) for year in sorted(set(facet_counts) | set(chosen),
                                                     reverse=True)]
        else:
            known = options.get(spec.name, [])
        values = [
            {"value": value, "label": label, "count": facet_counts.get(value, 0),
             "selected": value in chosen}
            for value, label in known
            if facet_counts.get(value) or value in chosen
        ]
        if not values:
            continue
        panels.append({
            "name": spec.name,
            "label": spec.label,
            "widget": spec.widget,
            "values": values,
            "selected": [v for v in values if v["selected"]],
            "unselected": [v for v in values if not v["selected"]],
            "open": bool(chosen) or spec.name in ("type", "area"),
        })
    return panels


def _chips(pledge_filters, options) -> list[dict]:
    """The active choices, each with the address of the list without it."""
    labels = {spec.name: spec.label for spec in filters.FACETS}
    chips = []
    if pledge_filters.q:
        chips.append({"facet": _("Search"), "label": pledge_filters.q,
                      "query": pledge_filters.without("q").query_string()})
    if pledge_filters.entity:
        name = selectors.entity_name_public(pledge_filters.entity)
        chips.append({"facet": _("Entity"), "label": name or _("One entity"),
                      "query": pledge_filters.without("entity").query_string()})
    for name, values in pledge_filters.values.items():
        known = dict(options.get(name, []))
        for value in values:
            chips.append({"facet": labels[name], "label": known.get(value, value),
                          "query": pledge_filters.without(name, value).query_string()})
    return chips


def _pager(pledge_filters, page) -> dict:
    return {
        "page": page,
        "previous_query": pledge_filters.query_string(page=page.number - 1),
        "next_query": pledge_filters.query_string(page=page.number + 1),
        "first_query": pledge_filters.query_string(page=1),
    }


@public_page
def pledge_list(request):
    options = selectors.pledge_filter_options()
    pledge_filters = filters.PledgeFilters.from_query(request.GET, options)
    facets, page = selectors.pledge_facets_and_page_public(pledge_filters)
    return render(request, "pledges/public/pledge_list.html", {
        "filters": pledge_filters,
        "page": page,
        "total": facets["total"],
        "facets": _facet_panels(pledge_filters, facets["counts"], options),
        "chips": _chips(pledge_filters, options),
        "sorts": filters.SORTS.items(),
        "export_query": pledge_filters.query_string(include_sort=False),
        "max_search_length": filters.MAX_SEARCH_LENGTH,
        "map": public_visuals.list_map(facets["counts"].get("country", {}),
                                       dict(options.get("country", [])),
                                       selectors.country_iso2_codes()),
        **_pager(pledge_filters, page),
    })


@public_page
def pledge_detail(request, pk: int):
    pledge = selectors.pledge_get_public(pk)
    return render(request, "pledges/public/pledge_detail.html", {
        "pledge": pledge,
        "goals": selectors.pledge_goals_public(pledge),
        "campaigns": selectors.pledge_campaigns_public(pledge),
        "revisions": selectors.pledge_revisions_public(pledge),
    })


def _scoped_list(request, facet: str, value: str) -> dict:
    """A country's or an event's pledges: the list filtered by one value, paged."""
    pledge_filters = filters.PledgeFilters(values={facet: [value]})
    number = filters.PledgeFilters.from_query(request.GET, {}).page
    pledge_filters.page = number
    page = selectors.pledge_page_public(pledge_filters)
    return {
        "totals": selectors.pledge_totals_public(pledge_filters),
        "list_query": pledge_filters.query_string(),
        **_pager(pledge_filters, page),
    }


@public_page
def country_index(request):
    return render(request, "pledges/public/country_index.html", {
        "regions": selectors.country_index_public(timezone.localdate()),
    })


@public_page
def country_detail(request, iso3: str):
    country = selectors.country_get_public(iso3)
    if iso3 != country.iso3:  # one address per country: /countries/RWA/
        return redirect("pledges:country_detail", iso3=country.iso3, permanent=True)
    global_filters = filters.PledgeFilters(values={"region": [filters.GLOBAL_REGION]})
    return render(request, "pledges/public/country_detail.html", {
        "country": country,
        "locator_map": locator_map_svg(
            country.iso2,
            title=_("Map: %(country)s among its neighbours") % {"country": country.name},
        ),
        "groups": [
            {"code": m.group, "label": m.get_group_display(), "note": m.note}
            for m in sorted(country.group_memberships.all(), key=lambda m: m.group)
            if m.is_valid_on(timezone.localdate())
        ],
        "global_totals": selectors.pledge_totals_public(global_filters),
        "global_query": global_filters.query_string(),
        "region_query": filters.PledgeFilters(
            values={"region": [country.region.code]}
        ).query_string(),
        **_scoped_list(request, "country", country.iso3),
    })


@public_page
def event_detail(request, slug: str):
    event = selectors.event_get_public(slug)
    return render(request, "pledges/public/event_detail.html", {
        "event": event,
        **_scoped_list(request, "event", event.slug),
    })


@public_page
def open_data_page(request):
    return render(request, "pledges/public/open_data.html", {
        "columns": open_data.COLUMNS,
        "licence_name": open_data.LICENCE_NAME,
        "licence_url": open_data.LICENCE_URL,
        "options": selectors.pledge_filter_options(),
    })


@public_page(whole_page=False)
def datapackage(request):
    """datapackage.json: the Frictionless Data description of the open-data downloads."""
    package = open_data.data_package(
        csv_url=request.build_absolute_uri(reverse("pledges:export_csv")),
        json_url=request.build_absolute_uri(reverse("pledges:export_json")),
        page_url=request.build_absolute_uri(reverse("pledges:open_data")),
        more_resources=[describe(request.build_absolute_uri)
                        for describe in open_data.MORE_RESOURCES],
    )
    return JsonResponse(package, json_dumps_params={"ensure_ascii": False, "indent": 2})


def _export_filters(request):
    return selectors.pledge_filters_from_query(request.GET)


def _download_name(extension: str) -> str:
    return f"p2c-pledges-{timezone.localdate().isoformat()}.{extension}"


def _prebuilt_download(request, pledge_filters, file_format: str, disposition: str):
    """The pre-built file of every public pledge (pledges.open_data_files) when the download is
    unfiltered and the file of the public set as it is now exists; None otherwise (streamed
    then, and a rebuild queued if the file is missing)."""
    if pledge_filters.is_filtered:
        return None
    language = get_language()
    found = open_data_files.current_file(file_format, language)
    if found is None:
        open_data_files.open_data_files_rebuild_soon()
        return None
    path, version = found
    try:
        handle = path.open("rb")  # kept open: a rebuild renaming a newer file in is harmless
    except FileNotFoundError:  # removed between the check and here (a newer set): stream
        return None
    modified = os.fstat(handle.fileno()).st_mtime
    etag = f'"{version}-{language}-{file_format}"'
    not_modified = get_conditional_response(request, etag=etag, last_modified=int(modified))
    if not_modified is not None:
        handle.close()
        return not_modified
    response = FileResponse(handle, content_type=open_data_files.CONTENT_TYPES[file_format])
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    response["Content-Disposition"] = (
        f'{disposition}; filename="{_download_name(file_format)}"')
    return response


def _cut_download(pledge_filters, file_format: str, *, head: str, before_rows: str = "",
                  tail: str = ""):
    """A filtered download cut from the pre-built file of every public pledge with its row
    index (pledges.open_data_files.filtered_rows): the same bytes as the streamed writer, read
    instead of written again; None when the file of the public set as it is now is missing
    (streamed then, and a rebuild queued)."""
    found = selectors.pledge_positions_public(pledge_filters)
    if found is None:
        return None
    fingerprint, positions, ids = found
    rows = open_data_files.filtered_rows(file_format, get_language(),
                                         open_data_files.version_of(fingerprint), positions, ids)
    if rows is None:
        open_data_files.open_data_files_rebuild_soon()
        return None
    head += before_rows if positions else ""
    return StreamingHttpResponse(itertools.chain([head.encode()], rows, [tail.encode()]),
                                 content_type=open_data_files.CONTENT_TYPES[file_format])


@public_page(whole_page=False)
def export_csv(request):
    pledge_filters = _export_filters(request)
    prebuilt = _prebuilt_download(request, pledge_filters, "csv", "attachment")
    if prebuilt is not None:
        return prebuilt
    response = _cut_download(pledge_filters, "csv", head=open_data.csv_header())
    if response is None:
        response = StreamingHttpResponse(
            open_data.csv_lines(pledge_filters.apply(Pledge.objects.public())),
            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_download_name("csv")}"'
    return response


@public_page(whole_page=False)
def export_json(request):
    pledge_filters = _export_filters(request)
    prebuilt = _prebuilt_download(request, pledge_filters, "json", "inline")
    if prebuilt is not None:
        return prebuilt
    query = pledge_filters.query_string(include_sort=False)
    source = settings.SITE_URL + reverse("pledges:pledge_list") + (f"?{query}" if query else "")
    # As open_data.json_chunks writes it: the first pledge after a new line.
    response = _cut_download(pledge_filters, "json",
                             head=open_data.json_header(source_url=source), before_rows="\n",
                             tail=open_data.JSON_END)
    if response is None:
        response = StreamingHttpResponse(
            open_data.json_chunks(pledge_filters.apply(Pledge.objects.public()),
                                  source_url=source),
            content_type="application/json; charset=utf-8",
        )
    response["Content-Disposition"] = f'inline; filename="{_download_name("json")}"'
    return response


def _revisions_name(extension: str) -> str:
    return f"p2c-pledge-revisions-{timezone.localdate().isoformat()}.{extension}"


@public_page(whole_page=False)
def revisions_csv(request):
    response = StreamingHttpResponse(
        open_data.revision_csv_lines(selectors.revision_list_public()),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_revisions_name("csv")}"'
    return response


@public_page(whole_page=False)
def revisions_json(request):
    response = StreamingHttpResponse(
        open_data.revision_json_chunks(
            selectors.revision_list_public(),
            source_url=settings.SITE_URL + reverse("pledges:open_data"),
        ),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'inline; filename="{_revisions_name("json")}"'
    return response
