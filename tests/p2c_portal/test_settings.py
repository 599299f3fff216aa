"""Settings as an operator meets them: each run is a fresh process with a clean environment.

Production refuses to start, with one line naming the variable, when a required one is missing
or malformed; with all of them it passes `check --deploy`. Locally nothing is required.
"""

import json
import runpy
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
PRODUCTION = "p2c_portal.settings.production"
LOCAL = "p2c_portal.settings.local"
# Django's PostgreSQL backend as django-prometheus wraps it, to count queries for /metrics.
PROMETHEUS_POSTGRESQL = "django_prometheus.db.backends.postgresql"

VALID = {
    "DJANGO_SECRET_KEY": "x7#Lq2$Vb9!Tz4@Nm8%Rc3^Wd6&Yf1*Hg5(Jk0)Pu-S=e+Oa_Ii",  # 50+ characters
    "ALLOWED_HOSTS": "p2c.example.org, www.p2c.example.org",
    "DATABASE_URL": "postgres://p2c:s3cret-db-pass@db.internal:5432/p2c",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "EMAIL_URL": "smtp+tls://mailer:s3cret-smtp-pass@smtp.example.org:587",
}
SECRETS = ("s3cret-db-pass", "s3cret-smtp-pass", VALID["DJANGO_SECRET_KEY"])

SETUP = "import django; django.setup()"
DUMP_SETTINGS = (
    "import json, django; django.setup();"
    "from django.conf import settings as s; from p2c_portal import celery_app as c;"
    "print(json.dumps({"
    "'secret_key': s.SECRET_KEY, 'debug': s.DEBUG, 'allowed_hosts': s.ALLOWED_HOSTS,"
    "'db_engine': s.DATABASES['default']['ENGINE'], 'db_name': str(s.DATABASES['default']['NAME']),"
    "'db_host': s.DATABASES['default'].get('HOST'),"
    "'cache': s.CACHES['default']['BACKEND'],"
    "'cache_location': s.CACHES['default'].get('LOCATION'),"
    "'cache_options': s.CACHES['default'].get('OPTIONS', {}),"
    "'email_backend': s.EMAIL_BACKEND, 'email_host': getattr(s, 'EMAIL_HOST', None),"
    "'email_file_path': getattr(s, 'EMAIL_FILE_PATH', None),"
    "'eager': c.conf.task_always_eager, 'broker': c.conf.broker_url,"
    "'transport_options': c.conf.broker_transport_options,"
    "'publish_retry_policy': c.conf.task_publish_retry_policy,"
    "'connection_timeout': c.conf.broker_connection_timeout,"
    "'pool_acquire_timeout': c.conf.broker_pool_acquire_timeout,"
    "}))"
)


def _run(settings_module: str, environ: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """A fresh interpreter that sees only `environ` (plus PATH): nothing leaks in from CI."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": settings_module, **environ},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _without(name: str) -> dict[str, str]:
    return {key: value for key, value in VALID.items() if key != name}


REFUSALS = {
    # case id: (environment, the variable the one line must name)
    "secret-key-missing": (_without("DJANGO_SECRET_KEY"), "DJANGO_SECRET_KEY"),
    "secret-key-blank": ({**VALID, "DJANGO_SECRET_KEY": "   "}, "DJANGO_SECRET_KEY"),
    "secret-key-short": ({**VALID, "DJANGO_SECRET_KEY": "changeme"}, "DJANGO_SECRET_KEY"),
    "secret-key-django-insecure": (
        {**VALID, "DJANGO_SECRET_KEY": "django-insecure-" + "k3$9" * 12},
        "DJANGO_SECRET_KEY",
    ),
    "allowed-hosts-missing": (_without("ALLOWED_HOSTS"), "ALLOWED_HOSTS"),
    "allowed-hosts-only-commas": ({**VALID, "ALLOWED_HOSTS": " , ,"}, "ALLOWED_HOSTS"),
    "allowed-hosts-with-scheme": (
        {**VALID, "ALLOWED_HOSTS": "https://p2c.example.org"},
        "ALLOWED_HOSTS",
    ),
    "database-url-missing": (_without("DATABASE_URL"), "DATABASE_URL"),
    "database-url-not-postgres": (
        {**VALID, "DATABASE_URL": "sqlite:////srv/p2c/db.sqlite3"},
        "DATABASE_URL",
    ),
    "database-url-bad-port": (
        {**VALID, "DATABASE_URL": "postgres://p2c:s3cret-db-pass@db.internal:54x2/p2c"},
        "DATABASE_URL",
    ),
    "database-url-no-name": (
        {**VALID, "DATABASE_URL": "postgres://p2c:s3cret-db-pass@db.internal:5432/"},
        "DATABASE_URL",
    ),
    "redis-url-missing": (_without("REDIS_URL"), "REDIS_URL"),
    "redis-url-no-scheme": ({**VALID, "REDIS_URL": "redis.internal:6379"}, "REDIS_URL"),
    "redis-url-bad-db": ({**VALID, "REDIS_URL": "redis://redis.internal:6379/cache"}, "REDIS_URL"),
    "redis-url-no-host": ({**VALID, "REDIS_URL": "redis://"}, "REDIS_URL"),
    "email-url-missing": (_without("EMAIL_URL"), "EMAIL_URL"),
    "email-url-no-scheme": ({**VALID, "EMAIL_URL": "smtp.example.org:587"}, "EMAIL_URL"),
    "email-url-bad-port": (
        {**VALID, "EMAIL_URL": "smtp://mailer:s3cret-smtp-pass@smtp.example.org:58x7"},
        "EMAIL_URL",
    ),
    "email-url-no-host": ({**VALID, "EMAIL_URL": "smtp://"}, "EMAIL_URL"),
}


# The cases base.py itself would trip over (it parses DATABASE_URL and EMAIL_URL as it loads),
# and one plain omission, in fresh interpreters; the whole table in-process below.
IN_A_FRESH_PROCESS = ("secret-key-missing", "database-url-bad-port", "email-url-bad-port")
REDIS_LOCAL = "redis://127.0.0.1:6379/3"
JOBS = {
    **{case: (PRODUCTION, REFUSALS[case][0], ("-c", SETUP)) for case in IN_A_FRESH_PROCESS},
    "deploy-check": (
        PRODUCTION,
        VALID,
        ("manage.py", "check", "--deploy", "--fail-level", "WARNING"),
    ),
    "production-dollar-key": (
        PRODUCTION,
        {**VALID, "DJANGO_SECRET_KEY": "$" + VALID["DJANGO_SECRET_KEY"]},
        ("-c", DUMP_SETTINGS),
    ),
    "local-bare": (LOCAL, {}, ("-c", DUMP_SETTINGS)),
    "local-with-services": (
        LOCAL,
        {
            "REDIS_URL": REDIS_LOCAL,
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/p2c",
            "EMAIL_URL": "filemail:///srv/p2c/outbox",
        },
        ("-c", DUMP_SETTINGS),
    ),
}


@pytest.fixture(scope="module")
def ran() -> dict[str, subprocess.CompletedProcess]:
    # Every fresh interpreter at once: each spends about a second importing Django and Celery.
    with ThreadPoolExecutor(max_workers=len(JOBS)) as pool:
        futures = {
            job: pool.submit(_run, module, environ, *args)
            for job, (module, environ, args) in JOBS.items()
        }
        return {job: future.result() for job, future in futures.items()}


def _assert_one_line_naming(variable: str, stderr: str) -> None:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("p2c_portal: configuration error: ")
    assert variable in lines[0]
    assert "Traceback" not in stderr
    for secret in SECRETS:
        assert secret not in stderr


@pytest.mark.parametrize("case", IN_A_FRESH_PROCESS)
def test_production_refuses_to_start_with_one_line_and_no_traceback(case, ran):
    result = ran[case]

    assert result.returncode == 2
    assert result.stdout == ""
    _assert_one_line_naming(REFUSALS[case][1], result.stderr)


@pytest.mark.parametrize("case", REFUSALS)
def test_production_settings_refuse_every_missing_or_malformed_variable(case, monkeypatch, capsys):
    environ, variable = REFUSALS[case]
    for name in VALID:
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)

    with pytest.raises(SystemExit) as exit_:
        runpy.run_module(PRODUCTION, run_name="production_settings_under_test")

    assert exit_.value.code == 2
    _assert_one_line_naming(variable, capsys.readouterr().err)


def test_the_valid_environment_of_these_tests_is_accepted_in_process(monkeypatch):
    for name, value in VALID.items():
        monkeypatch.setenv(name, value)

    loaded = runpy.run_module(PRODUCTION, run_name="production_settings_under_test")

    assert loaded["ALLOWED_HOSTS"] == ["p2c.example.org", "www.p2c.example.org"]


def test_production_with_every_variable_set_passes_the_deploy_check(ran):
    result = ran["deploy-check"]

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_reads_every_variable_as_given(ran):
    # A random key may start with "$": django-environ would read it as another variable's name.
    secret_key = "$" + VALID["DJANGO_SECRET_KEY"]
    result = ran["production-dollar-key"]

    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["secret_key"] == secret_key
    assert found["debug"] is False
    assert found["allowed_hosts"] == ["p2c.example.org", "www.p2c.example.org"]
    assert found["db_engine"] == PROMETHEUS_POSTGRESQL
    assert (found["db_name"], found["db_host"]) == ("p2c", "db.internal")
    assert found["eager"] is False
    assert found["broker"] == VALID["REDIS_URL"]
    assert found["cache"] == "p2c_portal.cache.ResilientRedisCache"
    assert found["cache_location"] == VALID["REDIS_URL"]
    assert found["email_backend"] == "django.core.mail.backends.smtp.EmailBackend"
    assert found["email_host"] == "smtp.example.org"
    _assert_redis_cannot_hang_a_request(found)


def _assert_redis_cannot_hang_a_request(found: dict) -> None:
    timeout = found["transport_options"]["socket_timeout"]
    assert 0 < timeout <= 5
    assert found["transport_options"]["socket_connect_timeout"] == timeout
    assert found["cache_options"]["socket_timeout"] == timeout
    assert found["cache_options"]["socket_connect_timeout"] == timeout
    assert found["connection_timeout"] == timeout
    assert found["pool_acquire_timeout"] == timeout
    assert found["publish_retry_policy"]["max_retries"] == 0


def test_local_defaults_need_no_service_at_all(ran):
    result = ran["local-bare"]

    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["db_engine"] == "django_prometheus.db.backends.sqlite3"
    assert Path(found["db_name"]) == BASE_DIR / "var" / "db.sqlite3"
    assert found["eager"] is True
    assert found["broker"] == "memory://localhost/"  # in-process, never connects
    assert found["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert found["email_backend"] == "p2c_portal.email_backends.ReadableConsoleEmailBackend"
    assert found["debug"] is True


def test_local_with_redis_url_uses_the_broker_and_the_cache_with_short_timeouts(ran):
    redis_url = REDIS_LOCAL
    result = ran["local-with-services"]

    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["db_engine"] == PROMETHEUS_POSTGRESQL
    assert found["eager"] is False
    assert found["broker"] == redis_url
    assert found["cache"] == "p2c_portal.cache.ResilientRedisCache"
    assert found["cache_location"] == redis_url
    _assert_redis_cannot_hang_a_request(found)
    # filemail:///path is the absolute /path (django-environ alone would make it relative).
    assert found["email_backend"] == "django.core.mail.backends.filebased.EmailBackend"
    assert found["email_file_path"] == "/srv/p2c/outbox"
