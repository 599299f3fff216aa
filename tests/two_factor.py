"""Two-factor authentication in tests: a person's authenticator app, and their session.

Codes come from allauth's own TOTP functions (RFC 6238, the algorithm a phone app runs), never
from a bypass: the test settings accept no code but a real one.

`Client.force_login` stands for a whole login. For staff that includes the second factor the
admin requires (p2c_portal.staff_two_factor), so tests/conftest.py makes it set up the person's
authenticator app if they have none and record the second factor in the session. Tests of the
second factor itself log in through the real pages, or with `log_in_without_second_factor`.
"""

import time

from allauth.mfa import app_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from allauth.mfa.utils import decrypt
from django.test import Client

from p2c_portal.staff_two_factor import second_factor_record

log_in_without_second_factor = Client.force_login  # Django's own, kept before conftest wraps it


def authenticator_app_for(user) -> str:
    """The secret of `user`'s authenticator app; one is set up now (with recovery codes, as
    allauth does) if they have none."""
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing is not None:
        return decrypt(existing.data["secret"])
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def totp_code(secret: str, *, at: float | None = None) -> str:
    """The code an authenticator app holding `secret` shows at `at` (default: now)."""
    moment = time.time() if at is None else at
    return format_hotp_value(hotp_value(secret, int(moment) // app_settings.TOTP_PERIOD))


def recovery_codes_of(user) -> list[str]:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    return authenticator.wrap().get_unused_codes()


def force_login_with_second_factor(client: Client, user, backend=None) -> None:
    log_in_without_second_factor(client, user, backend)
    if user.is_staff:
        authenticator_app_for(user)
        session = client.session
        second_factor_record(session, user)
        session.save()
