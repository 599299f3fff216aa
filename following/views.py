"""Following by email, for visitors without an account. The public pages link here (a plain
link: they are cached for everyone, so they carry no form of their own). Confirming and
stopping are POSTs behind a button, so that a mail scanner opening the link changes nothing;
stopping also answers the mail program's one-click POST (RFC 8058), which carries no CSRF token.
"""

from allauth.core import ratelimit
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from p2c_portal.rate_limits import rate_limited

from . import selectors, services
from .forms import FollowForm
from .models import Follow, target_name, target_url


@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("follow")
def follow_new(request, kind: str, key: str):
    if kind not in Follow.Kind.values:
        raise Http404
    target = selectors.follow_target_public(kind, key)
    form = FollowForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if not ratelimit.consume(request, action="follow_address", key=email.lower()):
            return ratelimit.respond_429(request)
        services.follow_request(email=email, target=target, language=get_language())
        return render(request, "following/follow_sent.html", _about(target))
    return render(request, "following/follow_new.html", {"form": form, **_about(target)})


def _about(target) -> dict:
    return {"target_name": target_name(target), "target_url": target_url(target),
            "target": target}


@never_cache
@require_http_methods(["GET", "POST"])
def follow_confirm(request, token: str):
    follow = selectors.follow_by_token(token)
    if request.method == "POST":
        services.follow_confirm(token=token, language=get_language())
        messages.success(request, _("Thank you: you will get a weekly email when it changes."))
        return redirect(follow.target_url())
    return render(request, "following/follow_confirm.html", _about(follow.target))


@never_cache
@csrf_exempt  # the mail program's one-click POST has no CSRF token; stopping harms no one
@require_http_methods(["GET", "POST"])
def follow_stop(request, token: str):
    follow = selectors.follow_by_token(token)
    if request.method == "POST":
        services.follow_stop(token=token)
        return render(request, "following/stopped.html", _about(follow.target))
    return render(request, "following/stop.html", _about(follow.target))


@never_cache
@csrf_exempt  # as follow_stop
@require_http_methods(["GET", "POST"])
def follower_stop_all(request, token: str):
    selectors.follower_by_token(token)
    if request.method == "POST":
        services.follower_stop_all(token=token)
        return render(request, "following/stopped.html", {"target": None})
    return render(request, "following/stop.html", {"target": None})
