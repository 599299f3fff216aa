"""Writes of the API app: issuing and revoking API tokens (the admin calls these)."""

import hashlib
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from .models import ApiToken

TOKEN_PREFIX = "p2c_"  # noqa: S105 (a marker that tells the token apart, not a secret)


def token_digest(raw_token: str) -> str:
    """SHA-256 of the token: a token is 256 random bits, so a fast digest is as safe as a slow
    password hash, and lets each request find its token with one indexed lookup."""
    return hashlib.sha256(raw_token.encode("utf-8", "replace")).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    raw: str  # shown once to the secretariat, never stored


@transaction.atomic
def api_token_issue(*, actor, name: str, contact_email: str = "") -> IssuedToken:
    if not actor.has_perm("api.add_apitoken"):
        raise PermissionDenied
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        name=name.strip()[:200], contact_email=contact_email, prefix=raw[:10],
        digest=token_digest(raw), created_by=actor,
    )
    return IssuedToken(token=token, raw=raw)


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken) -> ApiToken:
    """Takes effect at the next request: every request looks its token up."""
    if not actor.has_perm("api.change_apitoken"):
        raise PermissionDenied
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor
        locked.save(update_fields=["revoked_at", "revoked_by"])
    return locked
