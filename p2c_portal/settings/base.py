"""Settings shared by every environment, read from the environment with django-environ.

Only values that are safe everywhere get defaults here; production.py demands the rest.
"""

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

import environ
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()


def prometheus_engine(engine: str) -> str:
    """The database backend as django-prometheus wraps it (the same driver, counting queries,
    errors and their durations for /metrics): django.db.backends.X → django_prometheus's X."""
    return engine.replace("django.db.backends.", "django_prometheus.db.backends.", 1)


# --- Core -------------------------------------------------------------------------------------
# Read as is: django-environ would take a key starting with "$" for another variable's name.
SECRET_KEY = (
    os.environ.get("DJANGO_SECRET_KEY")
    or "insecure-local-only-key-never-used-in-production-0123456789"
)
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_ID = 1
SITE_NAME = "Partner2Connect Digital Coalition"
# Absolute base of links in emails (tasks have no request to build them from). Without SITE_URL
# it follows `make run HOST=… PORT=…`, so that a site served on another port links to itself; a
# wildcard bind address is reached as 127.0.0.1.
SERVE_HOST = env("HOST", default="127.0.0.1")
SERVE_PORT = env.int("PORT", default=8000)
_LINK_HOST = "127.0.0.1" if SERVE_HOST in ("0.0.0.0", "::", "[::]", "") else SERVE_HOST  # noqa: S104
SITE_URL = env("SITE_URL", default=f"http://{_LINK_HOST}:{SERVE_PORT}").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    # third party
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",  # django-bootstrap-static: Bootstrap 5 CSS/JS as static files, no CDN
    "csp",
    "django_celery_beat",
    "django_prometheus",  # request and database metrics on /metrics (p2c_portal.metrics)
    "import_export",
    "simple_history",
    "rest_framework",  # the open API (api/)
    "drf_spectacular",  # its OpenAPI description
    "drf_spectacular_sidecar",  # Swagger UI's files served from our origin (the site's CSP)
    # ours, in layers from the bottom up (an app imports only the ones above it in this list;
    # `make lint` checks it with import-linter, see docs/architecture.md)
    "p2c_portal",
    "spreadsheets",
    "action_areas",
    "members",
    "pledges",
    "reporting",
    "matchmaking",
    "following",
    "api",
    "devdata",
]

MIDDLEWARE = [
    # First and last: django-prometheus times the whole request and counts every response.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Refuses a body over MAX_REQUEST_BODY_BYTES before it is read (or spooled to disk).
    "p2c_portal.request_body_limit.RequestBodyLimitMiddleware",
    # Sees every cookie set on the way out: a response with one is never publicly cacheable.
    "p2c_portal.cache_headers.CacheHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # After the session, the user and messages: refuses the admin to staff without a second factor.
    "p2c_portal.staff_two_factor.StaffTwoFactorMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # The public pledges' fingerprint read once per GET view (a country page wants it 3 times).
    "pledges.public_cache.FingerprintPerRequestMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

# Request bodies (README, "Behind a reverse proxy"). The largest upload is a 10 MB spreadsheet
# (spreadsheets.files.MAX_FILE_BYTES); with its form and multipart framing it fits in 12 MB, the
# cap of the whole body here and in the proxy (nginx client_max_body_size 12m). Form fields
# without files: at most 2.5 MB (Django's default, named here: a 10,000-character description in
# Chinese is 30 KB). Uploads over 2.5 MB wait in a temporary file, not in memory.
MAX_REQUEST_BODY_BYTES = 12 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

ROOT_URLCONF = "p2c_portal.urls"
WSGI_APPLICATION = "p2c_portal.wsgi.application"
ASGI_APPLICATION = "p2c_portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "p2c_portal.context_processors.site",
                "p2c_portal.context_processors.languages",
            ],
            # Dates, numbers and amounts in the page's language (CLDR), on every page.
            "builtins": ["p2c_portal.templatetags.locale_formats"],
        },
    },
]

# --- Database: PostgreSQL from DATABASE_URL, else a SQLite file under var/ -----------------------
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    # No JIT compilation: the public pages' queries on 100,000 pledges cross jit_above_cost and
    # spent most of their time compiling (a search: 0.9 s of 1.3 s; BENCHMARKS.md, issue 20).
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
DATABASES["default"]["ENGINE"] = prometheus_engine(DATABASES["default"]["ENGINE"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker and cache when REDIS_URL is set, else eager tasks and local memory -----
REDIS_URL = env("REDIS_URL", default="")
# Short socket timeouts everywhere Redis is touched, so a hung Redis cannot hang a web request.
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=2.0)


def redis_cache(url: str, *, socket_timeout: float) -> dict:
    """The cache on Redis: misses instead of errors while Redis is down (p2c_portal/cache.py)."""
    return {
        "BACKEND": "p2c_portal.cache.ResilientRedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "p2c",
        "OPTIONS": {"socket_timeout": socket_timeout, "socket_connect_timeout": socket_timeout},
    }


if REDIS_URL:
    CACHES = {"default": redis_cache(REDIS_URL, socket_timeout=REDIS_SOCKET_TIMEOUT)}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery (the app lives in p2c_portal/celery.py) -----------------------------------------------
# Without Redis, tasks run in-process (eager), yet Celery still borrows a producer of the broker
# to serialise their arguments: an in-memory one that never connects. It needs a hostname, or
# kombu warns "No hostname was supplied" at every task.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None  # results are rows in our own tables, never in the broker
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True  # safe because every task is idempotent (DESIGN §3)
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The worker keeps LOGGING below (JSON lines). Hijacking, Celery would empty the "celery" logger's
# handlers, and as that logger does not propagate, the worker's own lines would vanish.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
# How long a publish may take when Redis is down or hung (tests/p2c_portal/test_broker_outage.py):
# - kombu's Redis transport ignores Celery's connect timeout as a *socket* timeout; it honours only
#   socket_timeout/socket_connect_timeout in the transport options, passed to redis-py. Without
#   them a hung Redis blocks a publish forever.
# - broker_connection_timeout is kombu's deadline for retrying to open the first channel.
# - Any publish retry re-opens a channel (PING) after the failed command: with Redis hung, every
#   retry costs two more socket timeouts (max_retries=1 made one email cost 6 s). So no retry;
#   a failed publish leaves the row PENDING with no queued_at, and the next sweep queues it.
# - A producer is borrowed from a pool of broker_pool_limit: never wait for one indefinitely.
# p2c_portal.queueing also stops publishing for a few seconds after a failure, so a request that
# queues several emails pays for a hung broker once.
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_SOCKET_TIMEOUT
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_POOL_ACQUIRE_TIMEOUT = REDIS_SOCKET_TIMEOUT
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": REDIS_SOCKET_TIMEOUT,
    "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
    # Redis redelivers an unacked task after this; longer than the hard time limit and than the
    # longest retry countdown (p2c_portal.jobs.RETRY_BACKOFF).
    "visibility_timeout": 3600,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 0,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
# Queues by kind of work, so that one kind never waits behind another (README, "Deploying"):
# - emails: short work someone waits for (confirmation links, invitations, reminders); a worker
#   with a few processes;
# - reports: heavy work (compiled reports, rates conversions, big imports): minutes each, one
#   process, so that it never holds up an email;
# - periodic: beat's sweeps and due-row creation, quick and frequent.
# Every task of the project is routed here, in this one place: tests/p2c_portal/test_queues.py
# fails for a task without a route (it would land on a queue no worker reads). A worker started
# without -Q (make run's eager mode aside, the real-worker tests) reads all three.
CELERY_TASK_QUEUES = {"emails": {}, "reports": {}, "periodic": {}}
CELERY_TASK_DEFAULT_QUEUE = "emails"
CELERY_TASK_ROUTES = {
    "p2c_portal.tasks.outbound_email_deliver": {"queue": "emails"},
    "reporting.tasks.reminder_send": {"queue": "emails"},
    "pledges.tasks.imported_drafts_invite": {"queue": "emails"},
    "following.tasks.digest_send": {"queue": "emails"},
    "matchmaking.tasks.need_suggestions_refresh": {"queue": "reports"},
    "matchmaking.tasks.suggestions_refresh_stale": {"queue": "periodic"},
    "reporting.tasks.compiled_report_compile": {"queue": "reports"},
    "pledges.tasks.currency_rate_upload_convert": {"queue": "reports"},
    "pledges.tasks.open_data_files_build": {"queue": "reports"},
    "spreadsheets.tasks.import_job_run": {"queue": "reports"},
    "p2c_portal.tasks.outbound_email_sweep": {"queue": "periodic"},
    "reporting.tasks.reminders_create_due": {"queue": "periodic"},
    "reporting.tasks.reminders_sweep": {"queue": "periodic"},
    "reporting.tasks.compiled_reports_sweep": {"queue": "periodic"},
    "reporting.tasks.compiled_reports_for_ended_cycles": {"queue": "periodic"},
    "pledges.tasks.imported_drafts_sweep": {"queue": "periodic"},
    "pledges.tasks.currency_rate_uploads_sweep": {"queue": "periodic"},
    "pledges.tasks.join_requests_expire": {"queue": "periodic"},
    "pledges.tasks.open_data_files_refresh": {"queue": "periodic"},
    "spreadsheets.tasks.import_files_remove_abandoned": {"queue": "periodic"},
    "spreadsheets.tasks.import_jobs_sweep": {"queue": "periodic"},
    "following.tasks.digests_create_due": {"queue": "periodic"},
    "following.tasks.digests_sweep": {"queue": "periodic"},
}
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "sweep-outbound-email": {
        "task": "p2c_portal.tasks.outbound_email_sweep",
        "schedule": 60.0,
    },
    # Reminders (reporting/services/reminders.py): rows for what fell due, then a send per row.
    "create-due-reminders": {
        "task": "reporting.tasks.reminders_create_due",
        "schedule": 900.0,
    },
    # Following (following/services.py): last week's digest rows, then a send per row.
    "create-due-digests": {
        "task": "following.tasks.digests_create_due",
        "schedule": 3600.0,
    },
    "sweep-digests": {
        "task": "following.tasks.digests_sweep",
        "schedule": 300.0,
    },
    # Matchmaking (matchmaking/suggestions.py): suggestions of the needs whose pledges changed.
    "refresh-stale-suggestions": {
        "task": "matchmaking.tasks.suggestions_refresh_stale",
        "schedule": 300.0,
    },
    "sweep-reminders": {
        "task": "reporting.tasks.reminders_sweep",
        "schedule": 120.0,
    },
    # Compiled reports (reporting/services/compiled_reports.py): revive runs whose worker died,
    # and ask for each reporting cycle's report once the cycle has ended. (The entries keep their
    # names: django-celery-beat stores the schedule in the database under these keys.)
    "sweep-report-runs": {
        "task": "reporting.tasks.compiled_reports_sweep",
        "schedule": 300.0,
    },
    "cycle-reports": {
        "task": "reporting.tasks.compiled_reports_for_ended_cycles",
        "schedule": 3600.0,
    },
    # Requests to join a pledge (pledges/partnerships.py): remind, then expire the unanswered.
    "expire-join-requests": {
        "task": "pledges.tasks.join_requests_expire",
        "schedule": 3600.0,
    },
    # Rates uploads (pledges/rates.py): convert again the pledges of an upload whose task was lost.
    "sweep-rate-uploads": {
        "task": "pledges.tasks.currency_rate_uploads_sweep",
        "schedule": 300.0,
    },
    # Spreadsheets of import previews never confirmed, a day after their upload
    # (spreadsheets.admin_desk): without it they stayed until the next upload, maybe for ever.
    "remove-abandoned-import-files": {
        "task": "spreadsheets.tasks.import_files_remove_abandoned",
        "schedule": 3600.0,
    },
    # Previews and imports of big files whose worker died or whose task was lost.
    "sweep-import-jobs": {
        "task": "spreadsheets.tasks.import_jobs_sweep",
        "schedule": 300.0,
    },
    # The full open-data downloads (pledges/open_data_files.py): built again once the public
    # pledges changed, also when no one downloads them meanwhile.
    "refresh-open-data-files": {
        "task": "pledges.tasks.open_data_files_refresh",
        "schedule": 120.0,
    },
    # Invitations to complete the drafts an import made (pledges/import_drafts.py), for imports
    # whose task was never queued.
    "sweep-imported-drafts": {
        "task": "pledges.tasks.imported_drafts_sweep",
        "schedule": 900.0,
    },
}

# --- Email: one path for the whole site (p2c_portal/mail.py), backend from EMAIL_URL -------------


def email_url_settings(url: str) -> dict:
    """EMAIL_URL as django-environ reads it, except that filemail:///var/mail/p2c means the
    absolute /var/mail/p2c (django-environ drops the first slash: relative to the cwd)."""
    config = env.email_url_config(url)
    parts = urlsplit(url)
    if parts.scheme == "filemail" and not parts.netloc:
        config["EMAIL_FILE_PATH"] = unquote(parts.path)
    return config


if "EMAIL_URL" in env:
    vars().update(email_url_settings(os.environ["EMAIL_URL"]))
else:  # make run: each email printed readably on stderr, apart from the JSON log lines
    EMAIL_BACKEND = "p2c_portal.email_backends.ReadableConsoleEmailBackend"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Partner2Connect <no-reply@p2c.example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The coalition's address, given on the contact page and the privacy notice.
CONTACT_EMAIL = env("CONTACT_EMAIL", default="partner2connect@itu.int")
EMAIL_TIMEOUT = 10
# The secretariat's shared inbox for new-submission and digest emails.
SECRETARIAT_EMAIL = env("SECRETARIAT_EMAIL", default="secretariat@p2c.example.org")
# The language of the emails to that inbox: one of LANGUAGES' codes (p2c_portal.languages'
# offered_language maps anything else to the nearest offered one, "zh" to "zh-hans").
SECRETARIAT_LANGUAGE = env("SECRETARIAT_LANGUAGE", default="en")

# --- Authentication: custom user with email login, django-allauth -------------------------------
AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "members:dashboard"
ACCOUNT_ADAPTER = "members.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "members.signup_form.SignupNameForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Partner2Connect] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
# Rate limits stay on (allauth's defaults, made explicit); they count in the cache. The client
# address they count per "ip" is the one TRUSTED_PROXY_COUNT below says to believe.
# Matchmaking: how many proposals to connect one person may send in a day (matchmaking.services).
MATCHMAKING_PROPOSALS_PER_DAY = env.int("MATCHMAKING_PROPOSALS_PER_DAY", default=10)

ACCOUNT_RATE_LIMITS = {
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reset_password": "20/m/ip,5/m/key",
    "reauthenticate": "10/m/user",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
    "send_email": "5/m/key",
    "confirm_email": "1/3m/key",
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    # The portal's own writes that email other people or queue work for the secretariat
    # (p2c_portal.rate_limits.rate_limited), per account and per client address; POSTs only.
    # Generous for a person: an application is a handful of posts (errors, the "similar
    # entities" step), an administrator may invite a whole team in one sitting.
    "entity_apply": "20/h/user,60/h/ip",
    "join_request": "10/h/user,60/h/ip",
    "invitation": "50/h/user,200/h/ip",
    # Asking to join another entity's published pledge (pledges.views.partners.pledge_join).
    "pledge_join": "10/h/user,60/h/ip",
    # Following by email (no account): per client address, and per email address followed, so
    # that nobody can flood someone's inbox with confirmation requests.
    "follow": "20/h/ip",
    "follow_address": "5/h/key",
    # The open API (api.rate_limits): every request, GETs included, per client address when
    # anonymous, per API token (issued by the secretariat in the admin) when one is sent.
    "api_anonymous": env("API_RATE_LIMIT_ANONYMOUS", default="60/m/ip,1000/h/ip"),
    "api_token": env("API_RATE_LIMIT_TOKEN", default="600/m/key"),
}
# The client address behind reverse proxies: allauth reads it from X-Forwarded-For, counting this
# many addresses from the right (each proxy of ours appends the address it was reached from;
# anything further left was sent by the client and is not believed). 0, the default here: no
# proxy, REMOTE_ADDR is the client. production.py defaults to 1 (one TLS-terminating proxy).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# --- The open API (api/, Django REST framework) ----------------------------------------------
# JSON only: no browsable HTML API (its inline scripts would need the CSP loosened). No session
# authentication: the API is public data, and an API token only raises the rate limit.
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_THROTTLE_CLASSES": ["api.rate_limits.ApiRateLimit"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Partner2Connect Digital Coalition open data API",
    "DESCRIPTION": "Read-only access to the coalition's public pledges, entities, progress "
                   "reports and compiled reports. Data licensed under CC BY 4.0.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "LICENSE": {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_error_responses",
    ],
}

# --- Two-factor authentication (allauth.mfa) ---------------------------------------------------
# Staff must pass a second factor before the admin opens (p2c_portal/staff_two_factor.py);
# members may opt in from "My account". An authenticator app (TOTP), with recovery codes for a
# lost phone. No "trust this browser": every login of a protected account asks for a code.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Partner2Connect"
# One 30-second step either side: a code typed as it rolls over, or a phone clock a few seconds
# off, still works. allauth remembers used codes for the whole window, so none works twice.
MFA_TOTP_TOLERANCE = 1

# --- Internationalisation --------------------------------------------------------------------
LANGUAGE_CODE = "en"
# The six UN languages, each named in itself (the switcher shows these names, which are never
# translated). Arabic is written right to left: Django's LANGUAGES_BIDI already says so, and
# templates/base.html sets dir="rtl" and loads Bootstrap's RTL stylesheet from it. Another
# language is added here and with its catalogue (README, "Translations"); nothing else names it.
LANGUAGES = [
    ("ar", "العربية"),
    ("en", "English"),
    ("es", "Español"),
    ("fr", "Français"),
    ("ru", "Русский"),
    ("zh-hans", "中文"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# --- Static and media ------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Spreadsheets between an import's preview and its confirmation (spreadsheets.admin_desk):
    # a private directory, never served; in production a volume every web container shares.
    "import_export": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env.path("IMPORT_STORAGE_DIR",
                                         default=str(VAR_DIR / "import-files"))},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# The full open-data downloads built in advance (pledges.open_data_files); in production a
# volume every web container and the reports worker share.
OPEN_DATA_DIR = env.path("OPEN_DATA_DIR", default=str(VAR_DIR / "open-data"))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Fonts of the compiled PDF reports ------------------------------------------------------
# Directories searched (with their subdirectories) for the TrueType files the PDF reports embed:
# Noto Sans and Noto Naskh Arabic (Debian fonts-noto-core) and WenQuanYi Micro Hei (Debian
# fonts-wqy-microhei), installed by the Dockerfile and .ci/run, never downloaded at run time.
# Set PDF_FONT_DIRS (separated by ":") where the files live elsewhere (README, "Fonts for the
# PDF reports"); `manage.py check` says which file is missing and from which package.
PDF_FONT_DIRS = [directory for directory in (env.str("PDF_FONT_DIRS", default="") or ":".join([
    "/usr/share/fonts/truetype/noto",
    "/usr/share/fonts/truetype/wqy",
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    str(Path.home() / ".local/share/fonts"),
    str(Path.home() / ".fonts"),
    str(Path.home() / "Library/Fonts"),
    "/Library/Fonts",
])).split(":") if directory]

# --- The secretariat's desk in the admin -----------------------------------------------------
# Most data rows one spreadsheet import takes (spreadsheets.files.import_max_rows): a bigger
# file is refused with a message to split it. An import is one web request: keep it well within
# the reverse proxy's timeout (README, "Settings").
# Requests to join a published pledge (pledges.partnerships): unanswered, they expire after
# P2C_JOIN_REQUEST_DAYS days; the pledge's administrators are reminded REMINDER_DAYS before.
P2C_JOIN_REQUEST_DAYS = env.int("P2C_JOIN_REQUEST_DAYS", default=30)
P2C_JOIN_REQUEST_REMINDER_DAYS = env.int("P2C_JOIN_REQUEST_REMINDER_DAYS", default=7)
P2C_IMPORT_MAX_ROWS = env.int("P2C_IMPORT_MAX_ROWS", default=2000)
# A file of more data rows than this is previewed and imported by a Celery task, with a status
# page in the admin, instead of in the web request (spreadsheets.admin_desk).
P2C_IMPORT_BACKGROUND_ROWS = env.int("P2C_IMPORT_BACKGROUND_ROWS", default=500)

# --- Security headers, on everywhere so that development sees what production sends ----------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # Django's default; the cookie is read by no script of ours
# Strict CSP: only our own origin, no inline scripts or styles anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Operations: metrics and error reports (README, "Deploying") -----------------------------
# /metrics answers only a request bearing this token ("Authorization: Bearer <token>"), 403 to
# any other; without a token set it does not exist (404): never public.
METRICS_TOKEN = env("P2C_METRICS_TOKEN", default="")
# Errors go to a Sentry-compatible server only when SENTRY_DSN is set, with personal data
# scrubbed (p2c_portal.error_reports); without it nothing is sent anywhere.
SENTRY_DSN = env("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env("SENTRY_ENVIRONMENT", default="production")

# --- Logging: one JSON object a line on stdout -----------------------------------------------
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "p2c_portal.logging.JsonFormatter"}},
    "handlers": {
        # StreamHandler writes to stderr unless told otherwise.
        "stdout": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stdout",
        }
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["stdout"], "level": LOG_LEVEL, "propagate": False},
        "celery": {"handlers": ["stdout"], "level": LOG_LEVEL, "propagate": False},
        # Configured here, Celery leaves it alone instead of giving it a plain-text handler.
        "celery.task": {"handlers": ["stdout"], "level": LOG_LEVEL, "propagate": False},
    },
}
