"""Staff two-factor: the admin never opens on a password alone.

The secretariat publishes in the admin, so every staff account must have an authenticator app
(allauth.mfa, TOTP) and must have used it, or one of its recovery codes, in the current session
before any admin page opens:

- staff without an authenticator app are sent to set one up, with a message that says why;
- staff with one log in through allauth, whose login asks for a code after the password (the
  admin's own login form is routed there too: p2c_portal/urls.py);
- a staff session that got past the login without a code (it logged in before its app was set up,
  or before the account became staff) is asked for one on allauth's reauthentication page, and
  goes on to the admin page it asked for.

A session remembers that its user passed a second factor (`SECOND_FACTOR_SESSION_KEY`, holding the
user's id) when allauth reports a code used (login, reauthentication) or an authenticator app
activated, which takes a valid code from the new app. Logging out ends the session, and with it
the record. Members are never asked: they may opt in from "My account".
"""

from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added, authenticator_used
from django.contrib import admin, messages
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

SECOND_FACTOR_SESSION_KEY = "p2c_second_factor_user"


def has_authenticator_app(user) -> bool:
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


def second_factor_record(session, user) -> None:
    """Note in `session` that `user` has just passed a second factor."""
    session[SECOND_FACTOR_SESSION_KEY] = str(user.pk)


def second_factor_passed(session, user) -> bool:
    return session.get(SECOND_FACTOR_SESSION_KEY) == str(user.pk)


@receiver(authenticator_used, dispatch_uid="p2c_second_factor_used")
def _on_authenticator_used(sender, request, user, authenticator, **kwargs) -> None:
    # A TOTP code or a recovery code, at login or on the reauthentication page.
    second_factor_record(request.session, user)


@receiver(authenticator_added, dispatch_uid="p2c_second_factor_added")
def _on_authenticator_added(sender, request, user, authenticator, **kwargs) -> None:
    # Activating an app takes a valid code from it. Recovery codes are "added" along with the app
    # without anyone typing one: they prove nothing by themselves.
    if authenticator.type == Authenticator.Type.TOTP:
        second_factor_record(request.session, user)


class StaffTwoFactorMiddleware:
    """Sends staff without a second factor in this session from any admin page to get one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or "admin" not in match.namespaces:
            return None
        user = request.user
        if not (user.is_authenticated and user.is_staff):
            return None  # the admin itself sends these to the login page or refuses them
        if not has_authenticator_app(user):
            messages.warning(
                request,
                _(
                    "The secretariat desk needs two-factor authentication. Set up an "
                    "authenticator app on your phone to continue: each login will then ask for "
                    "a code from it."
                ),
            )
            return redirect("mfa_activate_totp")
        if not second_factor_passed(request.session, user):
            messages.info(
                request,
                _("Enter a code from your authenticator app to open the secretariat desk."),
            )
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('mfa_reauthenticate')}?{query}")
        return None


class AuthenticatorAdmin(admin.ModelAdmin):
    """allauth's admin for authenticators, less their secrets: its change page shows `data`, the
    TOTP key and the recovery codes' seed, to anyone allowed to view the row. Here a superuser
    sees who has what and deletes a lost one (its owner then sets up a new app); nobody edits."""

    list_display = ("user", "type", "created_at", "last_used_at")
    list_filter = ("type",)
    search_fields = ("user__email",)
    fields = ("user", "type", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
