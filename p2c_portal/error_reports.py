"""Error reports to a Sentry-compatible server, only when SENTRY_DSN is set (settings), with the
personal data of members and the public taken out before anything leaves the process.

What is scrubbed, in `error_report_scrub` (Sentry's before_send): the user (but their id), the
request's body (form contents), cookies, query string and any header that authenticates;
every email address wherever it appears (exception messages, log lines, breadcrumbs); and any
value under a key that names a person or a secret (name, email, phone, password, token…).
Frames carry no local variables (include_local_variables=False): they hold form contents.
"""

import re
from typing import Any

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

FILTERED = "[Filtered]"
EMAIL_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Keys whose value is a person's or a secret: first_name, contact_email, password, sessionid…
# ("filename", "sdk.name" and the like are kept: the stack trace and the client need them).
PERSONAL_KEY = re.compile(
    r"^(?:.*[_-])?(?:first|last|full|display|contact|user)?[_-]?(?:name|username)$"
    r"|e-?mail|phone|address|remote_addr|password|passwd|secret|token|cookie|session|csrf"
    r"|authorization",
    re.IGNORECASE,
)
_KEPT_NAME_KEYS = {"name", "filename", "module", "function"}
# Request headers that say nothing about a person and help to read an error.
KEPT_HEADERS = {"accept", "accept-language", "content-type", "content-length", "host",
                "user-agent", "x-forwarded-proto", "referer"}


def error_reports_start(*, dsn: str, environment: str) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=0,  # errors only: performance is Prometheus's (p2c_portal.metrics)
        before_send=error_report_scrub,
        before_breadcrumb=_breadcrumb_scrub,
    )


def error_report_scrub(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict:
    """The event without personal data (Sentry's before_send)."""
    user = event.get("user") or {}
    event["user"] = {"id": user["id"]} if "id" in user else {}
    request = event.get("request")
    if request:
        request.pop("data", None)
        request.pop("cookies", None)
        request.pop("env", None)
        if request.get("query_string"):
            request["query_string"] = FILTERED
        request["headers"] = {
            name: value for name, value in (request.get("headers") or {}).items()
            if name.lower() in KEPT_HEADERS
        }
        if request.get("url"):
            request["url"] = _scrub_text(request["url"])
    return _scrub(event)


def _breadcrumb_scrub(crumb: dict[str, Any], hint: dict[str, Any] | None = None) -> dict:
    return _scrub(crumb)


def _scrub(value: Any, key: str = "") -> Any:
    if (key and key.lower() not in _KEPT_NAME_KEYS and PERSONAL_KEY.search(key)
            and not isinstance(value, (dict, list))):
        return FILTERED if value not in (None, "") else value
    if isinstance(value, dict):
        return {k: _scrub(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    if isinstance(value, str):
        return _scrub_text(value)
    return value


def _scrub_text(text: str) -> str:
    return EMAIL_ADDRESS.sub(FILTERED, text)
