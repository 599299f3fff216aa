"""docker-compose.yml and the Dockerfile, checked without a Docker engine.

No engine runs where the tests run, so the compose file is read as YAML and every name in it is
checked against the code it points at: the services the URLs name, the variables the settings
read, the WSGI and Celery apps, the Dockerfile's command. The production settings are then started
(`manage.py check --deploy`) with exactly the environment the compose file gives the containers.

The choice about SECURE_SSL_REDIRECT: the compose stack is for local use over plain HTTP on
127.0.0.1, so it sets SECURE_SSL_REDIRECT=false (with the redirect on, every page would send the
browser to an https:// port that nothing listens on). That one override makes `check --deploy`
warn (security.W008), as it should. So the deploy check runs twice: with the compose environment
less its local-only overrides, where it must pass with no warning at all (that is, the production
defaults are deployable); and with the compose environment as it is, where W008 must be the only
finding, so nothing else about the stack weakens production settings unnoticed.

The backup and restore services run the repository's deploy/ scripts in the postgres image; their
wiring is checked here, the scripts themselves in test_backup_restore.py.
"""

import ast
import json
import os
import re
import shlex
import subprocess
import sys
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import yaml

BASE_DIR = Path(__file__).resolve().parents[2]
COMPOSE_FILE = BASE_DIR / "docker-compose.yml"
DOCKERFILE = BASE_DIR / "Dockerfile"
SETTINGS_DIR = BASE_DIR / "p2c_portal" / "settings"

WORKERS = {"worker-emails": "emails", "worker-reports": "reports", "worker-periodic": "periodic"}
SERVICES = {"postgres", "redis", "web", "beat", "mailpit", *WORKERS}
APP_SERVICES = ("web", *WORKERS, "beat")
BACKUP_SERVICES = ("backup", "restore")
DEPLOY_DIR = BASE_DIR / "deploy"
PRODUCTION_SETTINGS = "p2c_portal.settings.production"
DATABASE_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Read by manage.py, wsgi.py and celery.py rather than by the settings (it chooses them).
SETTINGS_SELECTOR = "DJANGO_SETTINGS_MODULE"
# Compose variables that deliberately differ from production for plain HTTP on localhost.
LOCAL_ONLY_OVERRIDES = {"SECURE_SSL_REDIRECT": "security.W008"}


# --- Reading the files ------------------------------------------------------------------------


@cache
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def service(name: str) -> dict:
    return compose()["services"][name]


# $$, ${NAME}, ${NAME-default}, ${NAME:-default}
_INTERPOLATION = re.compile(
    r"\$(?:\$|\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?-)?(?P<default>[^}]*)\})"
)


def interpolate(value: str) -> str:
    """Compose's ${VAR:-default} as it resolves with no .env file and nothing exported."""

    def resolve(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        if match.group("op") is None:
            raise AssertionError(f"{match.group(0)} has no default: the stack needs a .env file")
        return match.group("default")

    return _INTERPOLATION.sub(resolve, value)


def environment(name: str) -> dict[str, str]:
    raw = service(name).get("environment") or {}
    if isinstance(raw, list):
        raw = dict(item.split("=", 1) for item in raw)
    return {key: interpolate(str(value)) for key, value in raw.items()}


def command(name: str) -> list[str]:
    raw = service(name)["command"]
    return shlex.split(raw) if isinstance(raw, str) else [str(word) for word in raw]


def shell_steps(name: str) -> list[list[str]]:
    """The `sh -c "a && b"` command of a service as its steps, each a list of words."""
    words = command(name)
    assert words[:2] == ["sh", "-c"], f"{name} should run `sh -c '... && ...'`"
    steps, current = [], []
    for word in shlex.split(words[2]):
        if word == "&&":
            steps.append(current)
            current = []
        else:
            current.append(word)
    steps.append(current)
    return steps


def mounts(name: str) -> dict[str, tuple[str, str]]:
    """A service's volumes in the short syntax, as {target: (source, mode)}."""
    found = {}
    for volume in service(name).get("volumes", []):
        source, target, *mode = volume.split(":")
        found[target] = (source, mode[0] if mode else "rw")
    return found


def host_path(source: str) -> Path:
    """Where a bind mount's ./relative source is: beside the compose file."""
    assert source.startswith("./"), f"{source} should be a bind mount relative to the project"
    return COMPOSE_FILE.parent / source


def variables_read_by_deploy_scripts() -> tuple[set[str], set[str]]:
    """(every variable deploy/*.sh read, those they require with ${NAME:?...})."""
    text = "\n".join(path.read_text() for path in DEPLOY_DIR.glob("*.sh"))
    read = set(re.findall(r"\$\{?([A-Z][A-Z0-9_]*)", text))
    required = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*):\?", text))
    return read, required


@cache
def dockerfile() -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (INSTRUCTION, arguments), continuation lines joined."""
    instructions, pending = [], ""
    for line in DOCKERFILE.read_text().splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        whole = pending + stripped
        pending = ""
        keyword, _, arguments = whole.partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def dockerfile_cmd() -> list[str]:
    commands = [arguments for keyword, arguments in dockerfile() if keyword == "CMD"]
    assert len(commands) == 1
    return json.loads(commands[0])  # exec form, so that gunicorn is PID 1 and gets SIGTERM


def _string_argument(node: ast.Call) -> str | None:
    if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
        return node.args[0].value
    return None


@cache
def variables_read_by_settings() -> frozenset[str]:
    """Every variable name p2c_portal/settings/*.py reads: env(...), env.X(...), _required(...),
    and `"NAME" in env`."""
    names = set()
    for path in SETTINGS_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                func = node.func
                reads = (isinstance(func, ast.Name) and func.id in ("env", "_required")) or (
                    isinstance(func, ast.Attribute)
                    and isinstance(func.value, ast.Name)
                    and func.value.id == "env"
                )
                name = _string_argument(node) if reads else None
                if name and name.isupper():
                    names.add(name)
            elif (
                isinstance(node, ast.Compare)
                and isinstance(node.left, ast.Constant)
                and isinstance(node.ops[0], ast.In)
                and isinstance(node.comparators[0], ast.Name)
                and node.comparators[0].id == "env"
            ):
                names.add(node.left.value)
    return frozenset(names)


@cache
def variables_required_by_production() -> frozenset[str]:
    tree = ast.parse((SETTINGS_DIR / "production.py").read_text())
    return frozenset(
        _string_argument(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "_required"
        and _string_argument(node)
    )


def module_assigns(path: Path, attribute: str) -> bool:
    """True if the module assigns `attribute` at top level (checked without importing it)."""
    for node in ast.parse(path.read_text()).body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        if any(isinstance(target, ast.Name) and target.id == attribute for target in targets):
            return True
    return False


def module_path(dotted: str) -> Path:
    path = BASE_DIR.joinpath(*dotted.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


# --- The compose file -------------------------------------------------------------------------


def test_compose_file_uses_the_compose_spec_and_has_the_six_services():
    assert "version" not in compose(), "the Compose spec has no top-level `version:`"
    assert set(compose()["services"]) >= SERVICES


def test_exactly_one_beat_and_it_uses_the_database_scheduler():
    beats = [
        name
        for name in compose()["services"]
        if "command" in service(name)
        and "celery" in command(name)
        and ("beat" in command(name) or "-B" in command(name) or "--beat" in command(name))
    ]
    assert beats == ["beat"], "one service, and only one, may run Celery beat (workers: no -B)"
    words = command("beat")
    assert words[:4] == ["celery", "-A", "p2c_portal", "beat"]
    assert words[words.index("--scheduler") + 1] == DATABASE_SCHEDULER
    assert service("beat").get("deploy", {}).get("replicas", 1) == 1
    block = re.search(r"^  beat:\n(.*?)(?=^\S|^  \w)", COMPOSE_FILE.read_text(), re.M | re.S)
    assert "never scale" in block.group(1).lower(), "say so in a comment at the beat service"

    from django_celery_beat import schedulers

    module, _, attribute = DATABASE_SCHEDULER.partition(":")
    assert schedulers.__name__ == module
    assert hasattr(schedulers, attribute)


def test_workers_and_beat_use_the_projects_celery_app():
    for name in WORKERS:
        assert command(name)[:4] == ["celery", "-A", "p2c_portal", "worker"]
    for name in (*WORKERS, "beat"):
        app = command(name)[command(name).index("-A") + 1]
        # `celery -A p2c_portal` finds p2c_portal.celery:app.
        celery_module = module_path(f"{app}.celery")
        assert celery_module.exists()
        assert module_assigns(celery_module, "app")


def test_web_migrates_then_runs_the_dockerfiles_gunicorn_command():
    steps = shell_steps("web")
    assert steps[0] == ["python", "manage.py", "migrate", "--no-input"]
    assert len(steps) == 2
    assert steps[1][0] == "exec", "exec, so that gunicorn replaces the shell and gets SIGTERM"
    assert steps[1][1:] == dockerfile_cmd()


def test_gunicorns_app_path_is_a_real_module_attribute():
    gunicorn = dockerfile_cmd()
    assert gunicorn[0] == "gunicorn"
    module, _, attribute = gunicorn[1].partition(":")
    assert (module, attribute) == ("p2c_portal.wsgi", "application")
    # Importing wsgi.py would load the production settings: read it instead.
    assert module_path(module).exists()
    assert module_assigns(module_path(module), attribute)
    assert gunicorn[gunicorn.index("--bind") + 1] == "0.0.0.0:8000"
    assert gunicorn[gunicorn.index("--access-logfile") + 1] == "-"


def test_app_containers_share_one_production_environment():
    web = environment("web")
    assert web[SETTINGS_SELECTOR] == PRODUCTION_SETTINGS
    for name in APP_SERVICES:
        assert environment(name) == web, f"{name} should use the shared environment"


def test_every_variable_is_one_the_settings_read():
    read = variables_read_by_settings()
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "SECURE_SSL_REDIRECT"} <= read  # parser sanity
    for entry_point in ("manage.py", "p2c_portal/wsgi.py", "p2c_portal/celery.py"):
        assert SETTINGS_SELECTOR in (BASE_DIR / entry_point).read_text()
    for name in APP_SERVICES:
        unknown = set(environment(name)) - read - {SETTINGS_SELECTOR}
        assert not unknown, f"{name} sets variables no setting reads: {sorted(unknown)}"


def test_every_variable_production_requires_is_provided():
    required = variables_required_by_production()
    assert {"DJANGO_SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "EMAIL_URL"} <= (
        required
    )
    for name in APP_SERVICES:
        env = environment(name)
        missing = {variable for variable in required if not env.get(variable, "").strip()}
        assert not missing, f"{name} lacks {sorted(missing)}"


def test_the_secret_key_is_a_marked_local_value_that_dotenv_overrides():
    raw = compose()["x-app-environment"]["DJANGO_SECRET_KEY"]
    assert raw.startswith("${DJANGO_SECRET_KEY:-"), "overridable from .env, also when set empty"
    assert "NOT-A-SECRET" in interpolate(raw)


def test_urls_name_the_compose_services():
    env = environment("web")
    services = compose()["services"]

    database = urlsplit(env["DATABASE_URL"])
    assert database.hostname == "postgres" and database.hostname in services
    assert database.port == 5432
    postgres = environment("postgres")
    assert database.username == postgres["POSTGRES_USER"]
    assert database.password == postgres["POSTGRES_PASSWORD"]
    assert database.path.lstrip("/") == postgres["POSTGRES_DB"]

    redis = urlsplit(env["REDIS_URL"])
    assert redis.hostname == "redis" and redis.hostname in services
    assert redis.port == 6379

    email = urlsplit(env["EMAIL_URL"])
    assert email.scheme == "smtp"
    assert email.hostname == "mailpit" and email.hostname in services
    # Mailpit's SMTP server listens on 1025 unless MP_SMTP_BIND_ADDR moves it.
    assert "MP_SMTP_BIND_ADDR" not in environment("mailpit")
    assert email.port == 1025
    assert str(email.port) in [str(port) for port in service("mailpit").get("expose", [])]

    assert env["SITE_URL"] == "http://127.0.0.1:8000"


def test_published_ports_are_on_loopback_only():
    published = {name: spec.get("ports", []) for name, spec in compose()["services"].items()}
    assert published.pop("web") == ["127.0.0.1:8000:8000"]
    assert published.pop("mailpit") == ["127.0.0.1:8025:8025"]
    assert not any(published.values()), "postgres and redis stay inside the compose network"


def test_startup_order_waits_for_healthy_services_and_migrations():
    assert "pg_isready" in service("postgres")["healthcheck"]["test"]
    assert "redis-cli" in service("redis")["healthcheck"]["test"]
    assert service("postgres")["image"].startswith("postgres:16")
    assert service("redis")["image"].startswith("redis:7")
    # Memory bounded, evicting only what expires (the cache), never the Celery queues.
    redis_command = service("redis")["command"]
    assert redis_command[redis_command.index("--maxmemory-policy") + 1] == "volatile-lru"
    assert "--maxmemory" in redis_command
    assert service("mailpit")["image"].startswith("axllent/mailpit")
    assert any("postgres" in volume for volume in service("postgres")["volumes"])
    assert set(compose()["volumes"]) >= {"postgres-data"}

    def healthy(name: str) -> set[str]:
        depends = service(name)["depends_on"]
        return {dep for dep, spec in depends.items() if spec["condition"] == "service_healthy"}

    assert healthy("web") >= {"postgres", "redis"}
    # Beat's DatabaseScheduler reads django_celery_beat's tables: web must have migrated them.
    for worker in WORKERS:
        assert healthy(worker) >= {"postgres", "redis", "web"}
    assert healthy("beat") >= {"postgres", "redis", "web"}


def test_web_healthcheck_probes_healthz_on_gunicorns_port():
    from django.urls import resolve

    probe = " ".join(service("web")["healthcheck"]["test"])
    url = urlsplit(re.search(r"http://[^'\" ]+", probe).group(0))
    assert url.port == 8000
    assert url.hostname in environment("web")["ALLOWED_HOSTS"].split(",")
    assert resolve(url.path).url_name == "healthz"


# --- Backups ----------------------------------------------------------------------------------


def test_the_backup_service_runs_the_nightly_loop_with_the_servers_pg_dump():
    # The same image as the database server: pg_dump of its very major version.
    assert service("backup")["image"] == service("postgres")["image"]
    words = command("backup")
    assert words[0] == "bash"
    source, mode = mounts("backup")[str(Path(words[1]).parent)]
    assert mode == "ro"
    script = host_path(source) / Path(words[1]).name
    assert script == DEPLOY_DIR / "backup-schedule.sh" and script.exists()
    assert 'bash "$here/backup.sh"' in script.read_text()
    assert (DEPLOY_DIR / "backup.sh").exists()
    assert service("backup")["restart"] == "unless-stopped"
    # Its first backup is taken at once: after web's migrations, not of an empty database.
    assert service("backup")["depends_on"]["web"]["condition"] == "service_healthy"
    assert "ports" not in service("backup")


def test_backups_cover_the_sites_database_and_uploads_and_outlive_down_v():
    app_media = {target: source for target, (source, _mode) in mounts("web").items()}
    media_volume = app_media["/app/var/media"]
    assert media_volume in compose()["volumes"]
    # /app is the image's WORKDIR and MEDIA_ROOT defaults to var/media under it.
    assert ("WORKDIR", "/app") in dockerfile()
    assert "MEDIA_ROOT" not in environment("web")

    for name in BACKUP_SERVICES:
        env = environment(name)
        assert env["DATABASE_URL"] == environment("web")["DATABASE_URL"]
        assert mounts(name)[env["MEDIA_ROOT"]][0] == media_volume
    assert mounts("backup")[environment("backup")["MEDIA_ROOT"]][1] == "ro"
    assert mounts("restore")[environment("restore")["MEDIA_ROOT"]][1] == "rw"

    # Backups go to a host directory, not a volume: `docker compose down -v` keeps them. It is
    # under var/, which git and the image's build context both leave out.
    source, mode = mounts("backup")[environment("backup")["BACKUP_DIR"]]
    assert mode == "rw"
    assert host_path(source).relative_to(BASE_DIR).parts[0] == "var"
    assert "var/" in (BASE_DIR / ".gitignore").read_text().split()
    assert "var" in (BASE_DIR / ".dockerignore").read_text().split()
    # The restore service reads the same directory, and never writes to it.
    restore_backups = [target for target, (src, _m) in mounts("restore").items() if src == source]
    assert [mounts("restore")[target][1] for target in restore_backups] == ["ro"]


def test_retention_and_time_of_day_come_from_the_environment():
    raw = compose()["services"]["backup"]["environment"]
    assert raw["BACKUP_RETENTION_DAYS"].startswith("${BACKUP_RETENTION_DAYS:-")
    assert int(environment("backup")["BACKUP_RETENTION_DAYS"]) >= 1
    assert raw["BACKUP_AT"].startswith("${BACKUP_AT:-")
    assert re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", environment("backup")["BACKUP_AT"])


def test_backup_services_set_exactly_the_variables_the_scripts_read():
    read, required = variables_read_by_deploy_scripts()
    assert {"DATABASE_URL", "MEDIA_ROOT", "BACKUP_DIR", "BACKUP_RETENTION_DAYS"} <= read
    assert {"DATABASE_URL", "MEDIA_ROOT", "BACKUP_DIR"} <= required  # parser sanity
    for name in BACKUP_SERVICES:
        unknown = set(environment(name)) - read
        assert not unknown, f"{name} sets variables no script reads: {sorted(unknown)}"
    assert required <= set(environment("backup"))
    assert {"DATABASE_URL", "MEDIA_ROOT"} <= set(environment("restore"))


def test_the_restore_service_is_run_by_hand_only():
    restore = service("restore")
    assert restore["image"] == service("postgres")["image"]
    # A profile: `docker compose up` never starts it; `docker compose run restore DIR` does.
    assert restore["profiles"] == ["restore"]
    assert restore["entrypoint"][0] == "bash"
    source, _mode = mounts("restore")[str(Path(restore["entrypoint"][1]).parent)]
    assert host_path(source) / Path(restore["entrypoint"][1]).name == DEPLOY_DIR / "restore.sh"
    assert "restart" not in restore
    assert restore["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "web" not in restore["depends_on"], "web would migrate the database before the restore"


def test_the_deploy_scripts_are_valid_bash():
    scripts = sorted(DEPLOY_DIR.glob("*.sh"))
    assert {path.name for path in scripts} >= {"backup.sh", "backup-schedule.sh", "restore.sh"}
    for path in scripts:
        result = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True,
                                check=False)
        assert result.returncode == 0, f"{path.name}: {result.stderr}"
        assert path.read_text().startswith("#!/usr/bin/env bash\n")
        assert "set -euo pipefail" in path.read_text()


# --- The Dockerfile ---------------------------------------------------------------------------


def test_dockerfile_builds_a_slim_non_root_gunicorn_image():
    instructions = dockerfile()
    keywords = [keyword for keyword, _ in instructions]
    assert instructions[0] == ("FROM", "python:3.11-slim")
    runs = [arguments for keyword, arguments in instructions if keyword == "RUN"]
    assert any("pip install -r requirements.txt" in run for run in runs)
    assert any("manage.py collectstatic --no-input" in run for run in runs)
    assert ("EXPOSE", "8000") in instructions
    users = [arguments for keyword, arguments in instructions if keyword == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert keywords.index("USER") < keywords.index("CMD")

    for line in (BASE_DIR / "requirements.txt").read_text().splitlines():
        requirement = line.split("#", 1)[0].strip()
        if requirement:
            assert "==" in requirement, f"requirements.txt should pin {requirement} exactly"


def test_collectstatic_build_step_gives_production_every_variable_it_requires():
    (collect,) = [
        arguments
        for keyword, arguments in dockerfile()
        if keyword == "RUN" and "collectstatic" in arguments
    ]
    build_env = dict(word.split("=", 1) for word in shlex.split(collect) if "=" in word)
    image_env = {
        key: value
        for keyword, arguments in dockerfile()
        if keyword == "ENV"
        for key, value in (word.split("=", 1) for word in shlex.split(arguments))
    }
    assert image_env[SETTINGS_SELECTOR] == PRODUCTION_SETTINGS
    assert variables_required_by_production() <= set(build_env)
    assert all(".invalid" in build_env[url] for url in ("DATABASE_URL", "REDIS_URL", "EMAIL_URL"))


def test_dockerignore_keeps_local_state_and_secrets_out_of_the_image():
    ignored = set((BASE_DIR / ".dockerignore").read_text().split())
    assert {".venv", "var", ".git", ".env", "**/__pycache__", "node_modules"} <= ignored


# --- The production settings, started with the compose environment ----------------------------


def run_deploy_check(env: dict[str, str]) -> subprocess.CompletedProcess:
    # Only the compose environment (plus PATH), never the test run's own DATABASE_URL and such.
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", **env}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def check_ids(result: subprocess.CompletedProcess) -> set[str]:
    return set(re.findall(r"\(([\w.]+\.[EWCI]\d{3})\)", result.stdout + result.stderr))


def test_production_defaults_pass_the_deploy_check_with_the_compose_environment():
    env = environment("web")
    assert set(LOCAL_ONLY_OVERRIDES) <= set(env)
    production = {key: value for key, value in env.items() if key not in LOCAL_ONLY_OVERRIDES}

    result = run_deploy_check(production)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    assert not check_ids(result)


def test_the_compose_environment_differs_from_production_only_by_its_local_overrides():
    result = run_deploy_check(environment("web"))

    # The settings started (no "configuration error"), and plain HTTP is the only finding.
    assert "configuration error" not in result.stderr, result.stderr
    assert result.returncode != 0
    assert check_ids(result) == set(LOCAL_ONLY_OVERRIDES.values()), result.stdout + result.stderr


def test_gunicorn_threads_keep_a_long_download_alive():
    """A sync worker busy streaming the open-data CSV of every pledge (tens of seconds) stops
    telling the arbiter it is alive and is killed after --timeout; a gthread worker's main
    thread keeps doing so while its threads serve, so --timeout only stops hung workers."""
    gunicorn = dockerfile_cmd()
    assert gunicorn[gunicorn.index("--worker-class") + 1] == "gthread"
    assert int(gunicorn[gunicorn.index("--threads") + 1]) >= 2
    assert int(gunicorn[gunicorn.index("--timeout") + 1]) >= 30


def _option(words: list[str], *names: str) -> str:
    for name in names:
        if name in words:
            return words[words.index(name) + 1]
    raise AssertionError(f"no {'/'.join(names)} in {words}")


def test_one_worker_per_queue_reads_exactly_its_queue():
    from django.conf import settings

    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    assert set(WORKERS.values()) == routed, "every routed queue has its worker, and no other"
    for name, queue in WORKERS.items():
        assert _option(command(name), "-Q", "--queues") == queue
        assert "deploy" not in service(name) or service(name)["deploy"].get("replicas", 1) >= 1


def test_emails_get_a_few_processes_and_reports_one_on_the_production_pool():
    def concurrency(name: str) -> int:
        return int(_option(command(name), "-c", "--concurrency"))

    for name in WORKERS:
        assert _option(command(name), "-P", "--pool") == "prefork"
    assert concurrency("worker-emails") >= 2
    assert concurrency("worker-reports") == 1
    # Each worker may be scaled: none publishes a port or fixes a container name.
    for name in WORKERS:
        assert "ports" not in service(name) and "container_name" not in service(name)


# --- Scale-out: docker-compose.scale.yml and deploy/Caddyfile ---------------------------------

SCALE_FILE = BASE_DIR / "docker-compose.scale.yml"
CADDYFILE = DEPLOY_DIR / "Caddyfile"
WEB_CONTAINERS = ("web", "web-2")


class _Reset(list):
    """Compose's `!reset []`: the value of the base file is dropped."""


class _ComposeLoader(yaml.SafeLoader):
    pass


_ComposeLoader.add_constructor("!reset", lambda loader, node: _Reset())


@cache
def scale() -> dict:
    return yaml.load(SCALE_FILE.read_text(), Loader=_ComposeLoader)  # noqa: S506 (safe loader)


def merged_service(name: str) -> dict:
    """A service of `-f docker-compose.yml -f docker-compose.scale.yml`, as far as these tests
    need: mappings merged key by key, other values replaced, `!reset` emptied, `extends` of a
    service of the base file followed."""
    override = scale()["services"][name]
    base = dict(compose()["services"].get(name, {}))
    if "extends" in override:
        assert override["extends"]["file"] == COMPOSE_FILE.name
        base = dict(compose()["services"][override["extends"]["service"]])
    merged = dict(base)
    for key, value in override.items():
        if key == "extends":
            continue
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = {**base[key], **value}
        else:
            merged[key] = list(value) if isinstance(value, _Reset) else value
    return merged


def caddy_site() -> str:
    text = CADDYFILE.read_text()
    return "\n".join(line.split("#", 1)[0] for line in text.splitlines())


def test_scale_file_runs_two_web_containers_behind_caddy_with_one_migration():
    services = scale()["services"]
    assert set(WEB_CONTAINERS) | {"caddy"} <= set(services)
    assert merged_service("caddy")["image"].startswith("caddy:")  # the official image
    migrating = [name for name in WEB_CONTAINERS
                 if "migrate" in " ".join(str(word) for word in merged_service(name)["command"])]
    assert migrating == ["web"], "migrations run once per deploy, in one container"
    second = merged_service("web-2")
    assert second["depends_on"]["web"]["condition"] == "service_healthy"
    assert [str(word) for word in second["command"]] == dockerfile_cmd()
    assert "/healthz" in " ".join(second["healthcheck"]["test"])
    assert "beat" not in services or "command" not in services["beat"]  # still exactly one


def test_only_caddy_publishes_ports_and_on_loopback():
    for name in WEB_CONTAINERS:
        assert merged_service(name).get("ports", []) == [], f"{name} is reached through Caddy"
    ports = merged_service("caddy")["ports"]
    assert all(port.startswith("127.0.0.1:") for port in ports)
    assert "127.0.0.1:8443:443" in ports


def test_app_containers_trust_exactly_the_one_proxy_in_front():
    for name in (*WEB_CONTAINERS, *WORKERS, "beat"):
        environment = merged_service(name)["environment"]
        assert environment["TRUSTED_PROXY_COUNT"] == "1", name
        assert environment["SECURE_SSL_REDIRECT"] == "true", name
        assert environment["SITE_URL"] == "https://localhost:8443", name
        assert environment["DJANGO_SETTINGS_MODULE"] == PRODUCTION_SETTINGS, name


def test_caddy_terminates_tls_and_proxies_to_both_web_containers():
    site = caddy_site()
    assert re.search(r"^\s*tls internal\s*$", site, re.M)
    upstreams = re.search(r"reverse_proxy ([^{\n]+)\{", site).group(1).split()
    assert upstreams == [f"{name}:8000" for name in WEB_CONTAINERS]
    assert re.search(r"health_uri /healthz", site)
    # The header the rate limits read (allauth, TRUSTED_PROXY_COUNT=1): replaced with the
    # connecting client's address, never passed on as the client sent it.
    assert re.search(r"header_up X-Forwarded-For \{remote_host\}", site)
    assert re.search(r"header_up X-Forwarded-Proto https", site)
    host = re.search(r"health_headers \{\s*Host (\S+)", site).group(1)
    assert host in environment("web")["ALLOWED_HOSTS"].split(",")
    # The 12 MB cap of request bodies, the site's own.
    from django.conf import settings

    cap = re.search(r"max_size (\d+)MB", site).group(1)
    assert int(cap) * 1024 * 1024 == settings.MAX_REQUEST_BODY_BYTES


def test_caddy_serves_the_static_files_web_collects_and_keeps_metrics_private():
    from django.conf import settings

    site = caddy_site()
    assert re.search(r"handle /metrics \{\s*respond 404", site)
    static_url = settings.STATIC_URL.rstrip("/")
    root = re.search(rf"handle_path {re.escape(static_url)}/\* \{{\s*root \* (\S+)", site).group(1)
    caddy_mounts = {target: source for source, target, *_mode in
                    (volume.split(":") for volume in merged_service("caddy")["volumes"])}
    web_mounts = {target: source for source, target, *_mode in
                  (volume.split(":") for volume in merged_service("web")["volumes"])}
    static_root = "/app/" + str(settings.STATIC_ROOT.relative_to(BASE_DIR))
    assert caddy_mounts[root] == web_mounts[static_root] == "static"
    assert "static" in scale()["volumes"]
    assert "collectstatic" in " ".join(merged_service("web")["command"])
    assert caddy_mounts["/etc/caddy/Caddyfile"] == "./deploy/Caddyfile"
    assert (COMPOSE_FILE.parent / "deploy" / "Caddyfile").is_file()
