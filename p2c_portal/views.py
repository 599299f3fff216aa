"""Project-wide views: the health and readiness probes, the metrics, the language switcher, the
privacy notice and contact page, and the error pages."""

import redis
from django.conf import settings
from django.db import connection
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseRedirect,
    HttpResponseServerError,
    JsonResponse,
)
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

from .languages import page_in_language
from .metrics import PortalCollector, celery_queue_lengths, metrics_token_matches


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as error:  # any driver error means "down" to a probe
        return f"error: {type(error).__name__}"


def _broker_status() -> str:
    if not settings.REDIS_URL:
        return "eager"  # no broker configured: tasks run in-process
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL,
            socket_timeout=settings.REDIS_SOCKET_TIMEOUT,
            socket_connect_timeout=settings.REDIS_SOCKET_TIMEOUT,
        )
        client.ping()
        client.close()
        return "ok"
    except Exception as error:
        return f"error: {type(error).__name__}"


@never_cache
@require_GET
def healthz(request):
    checks = {"database": _database_status(), "broker": _broker_status()}
    healthy = all(value in ("ok", "eager") for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )


@never_cache
@require_GET
def readyz(request):
    """Readiness: may this process take traffic and queue work? /healthz's checks plus the Celery
    queues (their lengths read from Redis). A load balancer stops sending requests while it is 503;
    /healthz stays the liveness check (restart only when the process itself is stuck)."""
    checks = {"database": _database_status(), "broker": _broker_status()}
    queues = celery_queue_lengths() if settings.REDIS_URL else None
    if settings.REDIS_URL:
        checks["queues"] = "ok" if queues is not None else "error: unreachable"
    ready = all(value in ("ok", "eager") for value in checks.values())
    body = {"status": "ok" if ready else "unavailable", "checks": checks}
    if queues is not None:
        body["queues"] = queues
    return JsonResponse(body, status=200 if ready else 503)


@never_cache
@require_GET
def metrics(request):
    """Prometheus: django-prometheus's request and database metrics, then the portal's figures
    (p2c_portal.metrics). Only for the holder of P2C_METRICS_TOKEN; none set, no such page."""
    if not settings.METRICS_TOKEN:
        raise Http404("No metrics here")
    if not metrics_token_matches(request.headers.get("Authorization", "")):
        return HttpResponseForbidden("A metrics token is required.", content_type="text/plain")
    portal = CollectorRegistry(auto_describe=False)
    portal.register(PortalCollector())
    return HttpResponse(generate_latest(REGISTRY) + generate_latest(portal),
                        content_type=CONTENT_TYPE_LATEST)


@never_cache
@require_safe
def language_switch(request, language: str):
    """Where the switcher's links go: the page given in `next`, in `language`, whatever the
    request's own language; the choice is kept in the language cookie, which decides the
    language of addresses without a prefix (the site's root, links from elsewhere). Links, not a
    form: they work without JavaScript and need no CSRF token in pages kept in the cache."""
    if language not in dict(settings.LANGUAGES):
        raise Http404("No such language")
    address = request.GET.get("next", "/")
    # A path on this site only, never a way to send people elsewhere ("//host", "/\host").
    if not address.startswith("/") or not url_has_allowed_host_and_scheme(
        address, allowed_hosts=set()
    ):
        address = "/"
    response = HttpResponseRedirect(page_in_language(address, language))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


@require_safe
def privacy_notice(request):
    return render(request, "privacy.html", {
        "contact_email": settings.CONTACT_EMAIL,
        "session_days": settings.SESSION_COOKIE_AGE // 86400,
    })


@require_safe
def contact(request):
    return render(request, "contact.html", {"contact_email": settings.CONTACT_EMAIL})


def bad_request(request, exception=None):
    # No request context: the request may be refused before the session and the user are read.
    return HttpResponseBadRequest(loader.get_template("400.html").render())


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def too_many_requests(request):
    """The 429 page, for allauth's rate limits (it looks for the URLconf's handler429) and ours
    (p2c_portal.rate_limits)."""
    return render(request, "429.html", status=429)


def server_error(request):
    # No request context: context processors could fail again the way the request just did.
    return HttpResponseServerError(loader.get_template("500.html").render())
