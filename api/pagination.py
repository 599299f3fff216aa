"""Cursor pagination in a stable order: (a moment or code, then the key), both unique together,
so that a page never repeats nor skips a row however the table changes between pages. The cursor
is opaque to consumers (base64 of the last row's position); no page counts the whole list."""

import base64
import binascii
import json

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from p2c_portal.query_params import ascii_int

from .errors import InvalidParameter

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
MAX_CURSOR_LENGTH = 200


def _encode(position: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")


def _decode(cursor: str) -> list:
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise ValueError(cursor)
    padded = cursor + "=" * (-len(cursor) % 4)
    position = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    if (not isinstance(position, list) or len(position) != 2
            or not isinstance(position[0], str) or not isinstance(position[1], int)
            or not 0 < position[1] < 2**63):
        raise ValueError(cursor)
    return position


def row_position(row, field: str) -> tuple:
    """(order value, key) of a row, a model instance or a dict of values() (api.documents)."""
    if isinstance(row, dict):
        return row[field], row["id"]
    return getattr(row, field), row.pk


class StableCursorPagination(BasePagination):
    """`order_field` is the first ordering column (the view's queryset is ordered by it, then
    by pk); the view says which with `cursor_field`."""

    def page_size(self, request) -> int:
        raw = request.query_params.get("page_size")
        if raw is None:
            return DEFAULT_PAGE_SIZE
        size = ascii_int(raw, minimum=1, maximum=MAX_PAGE_SIZE)
        if size is None:
            raise InvalidParameter("page_size", _("page_size must be a whole number from 1 to "
                                                  "%(max)d.") % {"max": MAX_PAGE_SIZE})
        return size

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.field = view.cursor_field
        size = self.page_size(request)
        raw = request.query_params.get("cursor")
        if raw:
            try:
                value, pk = _decode(raw)
                queryset = queryset.filter(
                    Q(**{f"{self.field}__gt": value}) | Q(**{self.field: value, "pk__gt": pk})
                )
                rows = list(queryset[: size + 1])
            except (ValueError, UnicodeError, binascii.Error, ValidationError,
                    json.JSONDecodeError) as error:
                raise InvalidParameter(
                    "cursor", _("cursor is not one this API gave: use the “next” link of a "
                                "page as it is.")) from error
        else:
            rows = list(queryset[: size + 1])
        self.has_next = len(rows) > size
        self.rows = rows[:size]
        return self.rows

    def _next_link(self) -> str | None:
        if not self.has_next:
            return None
        value, pk = row_position(self.rows[-1], self.field)
        value = value.isoformat() if hasattr(value, "isoformat") else str(value)
        return replace_query_param(self.request.build_absolute_uri(), "cursor",
                                   _encode([value, pk]))

    def get_paginated_response(self, data):
        return Response({"next": self._next_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri",
                         "description": "The next page; null on the last one."},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {"name": "cursor", "required": False, "in": "query",
             "description": "Opaque position given in a page's `next` link.",
             "schema": {"type": "string", "maxLength": MAX_CURSOR_LENGTH}},
            {"name": "page_size", "required": False, "in": "query",
             "description": f"Rows per page, 1 to {MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE}).",
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}},
        ]
