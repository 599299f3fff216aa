"""Celery tasks of matchmaking: they take ids and call one function (DESIGN.md §3). Both are
idempotent: a refresh replaces the rows it computes."""

from celery import shared_task

from . import suggestions


@shared_task
def need_suggestions_refresh(need_id: int) -> int:
    return suggestions.need_suggestions_refresh(need_id=need_id)


@shared_task
def suggestions_refresh_stale() -> int:
    return suggestions.suggestions_refresh_stale()
