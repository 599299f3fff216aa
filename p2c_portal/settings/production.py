"""Deployed settings. Refuses to start, with one line naming the variable, when one is missing."""

import sys

from .base import *  # noqa: F403
from .base import REDIS_SOCKET_TIMEOUT, env, redis_cache


def _refuse_to_start(message: str) -> None:
    # A one-line reason on stderr, not a traceback deep inside a request.
    sys.stderr.write(f"p2c_portal: configuration error: {message}\n")
    raise SystemExit(2)


def _required(name: str, *, schemes: tuple[str, ...] = (), min_length: int = 1) -> str:
    value = env.str(name, default="").strip()
    if not value:
        _refuse_to_start(f"{name} is not set.")
    if schemes and not value.startswith(tuple(f"{s}://" for s in schemes)):
        _refuse_to_start(f"{name} is malformed: it must start with one of {', '.join(schemes)}://")
    if len(value) < min_length:
        _refuse_to_start(f"{name} is too short: use at least {min_length} random characters.")
    return value


SECRET_KEY = _required("DJANGO_SECRET_KEY", min_length=50)
ALLOWED_HOSTS = [h.strip() for h in _required("ALLOWED_HOSTS").split(",") if h.strip()]
_database_url = _required("DATABASE_URL", schemes=("postgres", "postgresql", "postgis"))
try:
    DATABASES = {"default": env.db_url_config(_database_url)}
except Exception as error:  # django-environ raises several types for a bad URL
    _refuse_to_start(f"DATABASE_URL is malformed: {error}")
if not DATABASES["default"].get("NAME"):
    _refuse_to_start("DATABASE_URL is malformed: it names no database.")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)

REDIS_URL = _required("REDIS_URL", schemes=("redis", "rediss"))
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_ALWAYS_EAGER = False
CACHES = {"default": redis_cache(REDIS_URL, socket_timeout=REDIS_SOCKET_TIMEOUT)}

_EMAIL_SCHEMES = ("smtp", "smtps", "smtp+tls", "smtp+ssl", "consolemail", "filemail", "dummymail")
_email_url = _required("EMAIL_URL", schemes=_EMAIL_SCHEMES)
try:
    vars().update(env.email_url_config(_email_url))
except Exception as error:
    _refuse_to_start(f"EMAIL_URL is malformed: {error}")

DEBUG = False
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Behind a TLS-terminating proxy (load balancer, ingress), trust its scheme header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # probes speak plain HTTP inside the cluster
