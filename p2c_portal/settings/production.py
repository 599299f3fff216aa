"""Deployed settings. Refuses to start, with one line naming the variable, when one is missing.

The five required variables are checked *before* base.py reads the environment: base.py parses
DATABASE_URL and EMAIL_URL as it loads, and a malformed one (say, a port that is not a number)
would otherwise end in a traceback from django-environ instead of the one line below. They are
read from os.environ directly, because django-environ takes a value starting with "$" for the
name of another variable (and a random secret key may start with "$").
"""

import os
import sys
from typing import NoReturn
from urllib.parse import SplitResult, urlsplit


def _refuse_to_start(message: str) -> NoReturn:
    # A one-line reason on stderr, not a traceback deep inside a request.
    sys.stderr.write(f"p2c_portal: configuration error: {message}\n")
    raise SystemExit(2)


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        _refuse_to_start(f"{name} is not set.")
    return value


def _url(name: str, value: str, schemes: tuple[str, ...], *, needs_host: bool) -> SplitResult:
    parts = urlsplit(value)
    if parts.scheme not in schemes:
        allowed = ", ".join(f"{scheme}://" for scheme in schemes)
        _refuse_to_start(f"{name} is malformed: it must start with one of {allowed}")
    if "," not in parts.netloc:  # PostgreSQL may list several host:port pairs
        try:
            parts.port  # noqa: B018 -- raises ValueError for a port that is not a number
        except ValueError:
            _refuse_to_start(f"{name} is malformed: its port is not a number from 1 to 65535.")
    if needs_host and not parts.hostname:
        _refuse_to_start(f"{name} is malformed: it names no host.")
    return parts


_secret_key = _required("DJANGO_SECRET_KEY")
# What `check --deploy` (security.W009) calls a weak key, refused here rather than warned about.
if len(_secret_key) < 50 or len(set(_secret_key)) < 5 or _secret_key.startswith("django-insecure"):
    _refuse_to_start("DJANGO_SECRET_KEY is too weak: use at least 50 random characters.")

_allowed_hosts = [host.strip() for host in _required("ALLOWED_HOSTS").split(",") if host.strip()]
if not _allowed_hosts:
    _refuse_to_start("ALLOWED_HOSTS is malformed: it lists no host name.")
for _host in _allowed_hosts:
    if "/" in _host or " " in _host:
        _refuse_to_start(
            f"ALLOWED_HOSTS is malformed: {_host!r} is not a host name (no scheme, no path)."
        )

_database_url = _required("DATABASE_URL")
_database = _url(
    "DATABASE_URL", _database_url, ("postgres", "postgresql", "postgis"), needs_host=False
)
if not _database.path.strip("/"):
    _refuse_to_start("DATABASE_URL is malformed: it names no database.")

_redis_url = _required("REDIS_URL")
_redis = _url("REDIS_URL", _redis_url, ("redis", "rediss"), needs_host=True)
if not (_redis.path.strip("/") or "0").isdigit():
    _refuse_to_start("REDIS_URL is malformed: the database after the host must be a number.")

_EMAIL_SCHEMES = ("smtp", "smtps", "smtp+tls", "smtp+ssl", "consolemail", "filemail", "dummymail")
_email_url = _required("EMAIL_URL")
_email = _url("EMAIL_URL", _email_url, _EMAIL_SCHEMES, needs_host=False)
if _email.scheme.startswith("smtp") and not _email.hostname:
    _refuse_to_start("EMAIL_URL is malformed: it names no SMTP host.")


from .base import *  # noqa: E402, F403
from .base import (  # noqa: E402
    REDIS_SOCKET_TIMEOUT,
    email_url_settings,
    env,
    prometheus_engine,
    redis_cache,
)

SECRET_KEY = _secret_key
ALLOWED_HOSTS = _allowed_hosts

try:
    DATABASES = {"default": env.db_url_config(_database_url)}
except Exception:  # django-environ raises several types for a bad URL
    _refuse_to_start("DATABASE_URL is malformed: django-environ cannot read it.")
DATABASES["default"]["ENGINE"] = prometheus_engine(DATABASES["default"]["ENGINE"])
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
# No JIT compilation (see settings/base.py): most of a search's time at 100,000 pledges.
DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")

REDIS_URL = _redis_url
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_ALWAYS_EAGER = False
CACHES = {"default": redis_cache(REDIS_URL, socket_timeout=REDIS_SOCKET_TIMEOUT)}

try:
    vars().update(email_url_settings(_email_url))
except Exception:
    _refuse_to_start("EMAIL_URL is malformed: django-environ cannot read it.")

DEBUG = False
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Behind a TLS-terminating proxy (load balancer, ingress), trust its scheme header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# ...and the client address it appends to X-Forwarded-For, for the rate limits: without it every
# visitor would share the proxy's address, and one attacker's failed logins would lock out all.
# 0 where nothing stands in front (docker-compose.yml), 2 behind a CDN and a load balancer.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# Probes and the metrics scraper speak plain HTTP inside the cluster.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
