"""The mixed-load run of `make bench` (`make bench-mixed` alone): BENCH_MIXED_CLIENTS clients for
BENCH_MIXED_SECONDS against gunicorn + a Celery worker, on the bench database, then an account of
every write.

Who does what (each client is a thread with its own session, as a browser would have):
- anonymous visitors (most clients) browse: home, the pledge list with a different filter, word
  or page each time, pledge pages, entity and country pages;
- members (BENCH_MIXED_MEMBERS) each log in, then save a form section of one of their own drafts
  (the summary changes, with a marker naming the save) a few times and submit it, then go on with
  their next draft;
- one secretariat client logs in with a password and a TOTP code (the admin requires it), then
  publishes the submitted pledges of this run from the review desk (the admin's bulk action);
- the Celery worker sends the emails these writes queue (submission receipts, publication
  notices) into a mailbox directory (EMAIL_URL=filemail://).

Afterwards (`verify`, in Django): every save the server acknowledged (a 302) is in the pledge's
history exactly once (lost writes: missing; duplicated: more than once); every acknowledged
submission and publication is in the pledge's status changes exactly once; every email queued
during the run was sent, and its Message-ID is in the mailbox exactly once. Errors: any 5xx,
connection error or unexpected answer. p99 per kind of request.

Steps `setup` and `verify` run as `python bench/mixed.py setup|verify` under bench.settings (the
bench database); the load itself is plain HTTP from this process.
"""

from __future__ import annotations

import datetime
import html.parser
import json
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIXED = {
    "seconds": int(os.environ.get("BENCH_MIXED_SECONDS", "300")),
    "clients": int(os.environ.get("BENCH_MIXED_CLIENTS", "20")),
    "members": int(os.environ.get("BENCH_MIXED_MEMBERS", "6")),
    "drafts": int(os.environ.get("BENCH_MIXED_DRAFTS", "40")),
    "saves_per_pledge": int(os.environ.get("BENCH_MIXED_SAVES", "3")),
    "worker_concurrency": int(os.environ.get("BENCH_MIXED_WORKER_CONCURRENCY", "2")),
}
MEMBER_EMAIL = "mixed-load-member-{}@bench.example.org"
SECRETARIAT_EMAIL = "mixed-load-secretariat@bench.example.org"
SEARCH_WORDS = ("rural", "schools", "fibre", "skills", "women", "broadband", "satellite",
                "digital", "youth", "community", "spectrum", "policy", "finance", "health")


# --- setup and verify: inside Django, on the bench database --------------------------------------

def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def setup(tag: str, password: str) -> dict:
    """The run's people and their drafts, written through the services as the site would (an
    entity applied for and approved; pledges created and filled in section by section)."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from allauth.mfa.utils import decrypt
    from django.contrib.auth.models import Group
    from django.db.models import Count

    from action_areas.models import ActionArea, BeneficiaryGroup, Country, Pillar
    from devdata.management.commands.seed_bench import BENCH_PREFIX
    from members.models import Entity, User
    from members.permissions import SECRETARIAT_GROUP
    from members.services import entity_apply
    from members.workflow import entity_transition
    from pledges.models import Pledge, PledgeType
    from pledges.services import pledge_create, pledge_save_section, pledge_save_targets

    def person(email: str, *, staff: bool) -> User:
        user, _created = User.objects.get_or_create(
            email=email, defaults={"full_name": email.split("@")[0], "is_staff": staff})
        user.set_password(password)
        user.save(update_fields=["password"])
        EmailAddress.objects.get_or_create(user=user, email=email,
                                           defaults={"verified": True, "primary": True})
        return user

    secretariat = person(SECRETARIAT_EMAIL, staff=True)
    secretariat.groups.add(Group.objects.get(name=SECRETARIAT_GROUP))
    app = Authenticator.objects.filter(user=secretariat, type=Authenticator.Type.TOTP).first()
    if app is None:
        totp_secret = generate_totp_secret()
        TOTP.activate(secretariat, totp_secret)
    else:
        totp_secret = decrypt(app.data["secret"])

    country = Country.objects.get(iso3="RWA")
    area = ActionArea.objects.order_by("position").first()
    pillar = Pillar.objects.filter(action_area=area).order_by("position").first()
    group = BeneficiaryGroup.objects.order_by("position").first()
    start = datetime.date.today()
    members = []
    for number in range(MIXED["members"]):
        user = person(MEMBER_EMAIL.format(number), staff=False)
        name = f"{BENCH_PREFIX}Mixed-load entity {number}"
        entity = Entity.objects.filter(name=name).first()
        if entity is None:
            entity = entity_apply(user=user, data=dict(
                name=name, acronym=f"MIX{number}", stakeholder_group="private_sector",
                sub_type="company", headquarters_country=country,
                website="https://www.example.org/", description="Mixed-load bench entity.",
                contact_email=user.email, commitment_evidence="Bench.",
                pledge_readiness="Bench.", leader_name="Bench Leader", leader_title="CEO",
                leader_attends_roundtable=True, consent_public_reporting=True,
            ))
            entity_transition(entity_id=entity.pk, name="approve", actor=secretariat)
        drafts = []
        for position in range(MIXED["drafts"]):
            pledge = pledge_create(user=user, entity_id=entity.pk)
            pledge_save_section(user=user, pledge_id=pledge.pk, section="basics", values=dict(
                title=f"[mixed {tag}] Community networks {number}-{position}",
                summary="Connect rural communities with community networks.",
                pledge_type=PledgeType.PROGRAMME, start_date=start,
                end_date=start + datetime.timedelta(days=3 * 365),
                programme_kind="new", people_to_reach=5000 + position,
                is_global=False, countries=[country], action_areas=[area], pillars=[pillar],
                beneficiary_groups=[group], contact_name="Bench Contact",
                contact_email=user.email,
            ), raw_input=None, expected_version=None)
            pledge_save_targets(user=user, pledge_id=pledge.pk, targets=[dict(
                indicator="People connected", unit="people", baseline=0, target_value=5000,
                target_date=start + datetime.timedelta(days=2 * 365),
            )], raw_input=None, expected_version=None)
            drafts.append(pledge.pk)
        members.append({"email": user.email, "drafts": drafts})

    public = Pledge.objects.public()
    pledge_ids = list(public.order_by("?").values_list("pk", flat=True)[:2000])
    entity_ids = list(public.filter(entity__status=Entity.Status.APPROVED).order_by()
                      .values("entity_id").annotate(n=Count("pk"))
                      .order_by("-n").values_list("entity_id", flat=True)[:300])
    countries = list(Country.objects.values_list("iso3", flat=True))
    return {"tag": tag, "password": password, "secretariat": SECRETARIAT_EMAIL,
            "totp_secret": totp_secret, "members": members, "public_pledges": pledge_ids,
            "entities": entity_ids, "countries": countries}


def verify(tag: str, started: str, ledger_path: str, mailbox: str) -> dict:
    """Account for every acknowledged write (see the module docstring)."""
    from django.db.models import Count

    from p2c_portal.models import OutboundEmail
    from pledges.models import Pledge, PledgeStatusChange

    ledger = json.loads(Path(ledger_path).read_text())
    saves, submits, publishes = ledger["saves"], ledger["submits"], ledger["publishes"]
    history = Pledge.history.model.objects.filter(title__startswith=f"[mixed {tag}]")
    found: dict[str, int] = {}
    for summary in history.values_list("summary", flat=True):
        for marker in re.findall(r"\[save [\w-]+\]", summary):
            found[marker] = found.get(marker, 0) + 1
    # A history row repeats the summary when another field changes later (a submission, a
    # publication): count each marker once per distinct save, i.e. rows where it first appears.
    first_rows = history.order_by("id", "history_id").values_list("id", "summary", "history_id")
    seen_at: dict[str, int] = {}
    previous: dict[int, str] = {}
    for pledge_id, summary, _history_id in first_rows:
        if summary != previous.get(pledge_id):
            for marker in re.findall(r"\[save [\w-]+\]", summary):
                seen_at[marker] = seen_at.get(marker, 0) + 1
        previous[pledge_id] = summary
    lost_saves = [m for m in saves if m not in seen_at]
    duplicated_saves = [m for m, n in seen_at.items() if n > 1]

    def transitions(to_status: str) -> dict[int, int]:
        rows = (PledgeStatusChange.objects.filter(pledge__title__startswith=f"[mixed {tag}]",
                                                  to_status=to_status)
                .values("pledge_id").annotate(n=Count("pk")))
        return {row["pledge_id"]: row["n"] for row in rows}

    submitted, published = transitions("submitted"), transitions("published")
    emails = OutboundEmail.objects.filter(created_at__gte=started)
    by_status = dict(emails.values_list("status").annotate(n=Count("pk")))
    mailbox_ids: dict[str, int] = {}
    for path in Path(mailbox).glob("*"):
        for message_id in re.findall(r"^Message-ID:\s*<?([^>\s]+)>?",
                                     path.read_text(errors="replace"), re.MULTILINE | re.I):
            mailbox_ids[message_id] = mailbox_ids.get(message_id, 0) + 1
    run_ids = [m.strip("<>") for m in emails.values_list("message_id", flat=True)]
    sent_ids = [m.strip("<>") for m in emails.filter(status=OutboundEmail.Status.SENT)
                .values_list("message_id", flat=True)]
    return {
        "saves_acknowledged": len(saves),
        "saves_lost": len(lost_saves), "saves_duplicated": len(duplicated_saves),
        "lost_examples": lost_saves[:5],
        "submits_acknowledged": len(submits),
        "submits_lost": sum(1 for pk in submits if submitted.get(pk, 0) < 1),
        "submits_duplicated": sum(1 for pk in submits if submitted.get(pk, 0) > 1),
        "publishes_acknowledged": len(publishes),
        "publishes_lost": sum(1 for pk in publishes if published.get(pk, 0) < 1),
        "publishes_duplicated": sum(1 for n in published.values() if n > 1),
        "emails_queued": emails.count(), "emails_by_status": by_status,
        "emails_not_in_mailbox": sum(1 for m in sent_ids if m not in mailbox_ids),
        "emails_in_mailbox_twice": sum(1 for m in run_ids if mailbox_ids.get(m, 0) > 1),
        "emails_in_mailbox": sum(mailbox_ids.get(m, 0) for m in run_ids),
        "mailbox_not_of_this_run": sum(n for m, n in mailbox_ids.items() if m not in run_ids),
    }


def totp_code(secret: str) -> str:
    """What the secretariat's authenticator app shows now (allauth's own TOTP functions)."""
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))


def emails_pending(started: str) -> int:
    from p2c_portal.models import OutboundEmail

    return OutboundEmail.objects.filter(
        created_at__gte=started,
        status__in=[OutboundEmail.Status.PENDING, OutboundEmail.Status.SENDING]).count()


# --- the load: plain HTTP ---------------------------------------------------------------------

class FormParser(html.parser.HTMLParser):
    """The fields of each <form> of a page: [(action, {name: [values]})], as a browser would
    submit them (checked boxes and radios, selected options, text areas)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, dict[str, list[str]]]] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append((a.get("action") or "", {}))
            return
        if not self.forms:
            return
        fields = self.forms[-1][1]
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                fields.setdefault(name, [])
                return
            fields.setdefault(name, []).append(a.get("value") or ("on" if kind == "checkbox"
                                                                   else ""))
        elif tag == "select" and name:
            self._select = name
            fields.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            fields[self._select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1][1][self._textarea][0] += data


def forms_of(page: str) -> list[tuple[str, dict[str, list[str]]]]:
    parser = FormParser()
    parser.feed(page)
    return parser.forms


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Session:
    """One visitor: cookies kept by hand (the bench serves production settings over plain HTTP,
    whose cookies are marked Secure, which urllib's cookie jar would then never send back)."""

    def __init__(self, base: str, results: Results):
        self.base, self.results = base, results
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(NoRedirect)

    def request(self, kind: str, path: str, data: dict | None = None,
                expect: tuple[int, ...] = (200,)) -> tuple[int, str, str]:
        """(status, body, Location); records the latency under `kind`, and an error when the
        answer is a 5xx, a connection error or not one of `expect`."""
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)  # noqa: S310 -- http://127.0.0.1
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if data is not None:
            request.add_header("Referer", self.base + path)
        started = time.perf_counter()
        status, text, location = 0, "", ""
        try:
            response = self.opener.open(request, timeout=60)
        except urllib.error.HTTPError as answer:
            response = answer
        except OSError as error:
            self.results.error(kind, path, repr(error))
            return 0, "", ""
        with response:
            status = response.status if hasattr(response, "status") else response.code
            text = response.read().decode("utf-8", "replace")
            location = response.headers.get("Location", "")
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _eq, rest = header.partition("=")
                value = rest.split(";", 1)[0]
                if "max-age=0" in header.lower() or value in ('""', ""):
                    self.cookies.pop(name.strip(), None)
                else:
                    self.cookies[name.strip()] = value
        self.results.record(kind, time.perf_counter() - started)
        if status not in expect:
            self.results.error(kind, path, f"answered {status}")
        return status, text, location

    def form_post(self, kind: str, path: str, changes: dict, *,
                  marker_field: str = "csrfmiddlewaretoken", expect=(302,),
                  get_kind: str | None = None) -> tuple[int, str, str]:
        """GET the page at `path`, then submit its (last) form holding `marker_field` with
        `changes`, to the form's action."""
        status, page, _location = self.request(get_kind or kind + "_page", path)
        if status != 200:
            return status, page, ""
        forms = [(action, fields) for action, fields in forms_of(page) if marker_field in fields]
        if not forms:
            self.results.error(kind, path, f"no form with {marker_field}")
            return 0, page, ""
        action, fields = forms[-1]
        fields.update({k: (v if isinstance(v, list) else [v]) for k, v in changes.items()})
        target = urllib.parse.urljoin(path, action) if action else path
        return self.request(kind, target, fields, expect=expect)


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = {}
        self.errors: list[tuple[str, str, str]] = []
        self.saves: list[str] = []
        self.submits: list[int] = []
        self.publishes: list[int] = []

    def record(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.latencies.setdefault(kind, []).append(seconds)

    def error(self, kind: str, path: str, what: str) -> None:
        with self.lock:
            self.errors.append((kind, path, what))

    def summary(self) -> dict:
        rows = {}
        for kind, values in sorted(self.latencies.items()):
            values = sorted(values)
            rows[kind] = {
                "requests": len(values),
                "p50_ms": round(statistics.median(values) * 1000, 1),
                "p99_ms": round(values[min(len(values) - 1, int(len(values) * 0.99))] * 1000, 1),
            }
        return rows


def log_in(session: Session, email: str, password: str, kind: str) -> bool:
    status, _text, location = session.form_post(
        kind, "/en/accounts/login/", {"login": email, "password": password},
        marker_field="password", get_kind=kind + "_page")
    return status == 302 and "login" not in location


def anonymous_visitor(session: Session, plan: dict, stop: float, rng: random.Random) -> None:
    areas, types = ("access", "adoption", "value-creation", "accelerate"), (
        "financial", "policy", "advocacy", "programme")
    while time.monotonic() < stop:
        choice = rng.random()
        if choice < 0.1:
            session.request("anon_home", "/en/")
        elif choice < 0.5:
            query = {rng.choice(("type", "area", "q", "page", "country")): None}
            key = next(iter(query))
            query[key] = {"type": lambda: rng.choice(types), "area": lambda: rng.choice(areas),
                          "q": lambda: rng.choice(SEARCH_WORDS),
                          "page": lambda: rng.randint(1, 200),
                          "country": lambda: rng.choice(plan["countries"])}[key]()
            if rng.random() < 0.4:
                query["page"] = rng.randint(1, 20)
            session.request("anon_list", "/en/pledges/?" + urllib.parse.urlencode(query))
        elif choice < 0.8:
            session.request("anon_pledge", f"/en/pledges/{rng.choice(plan['public_pledges'])}/")
        elif choice < 0.9:
            session.request("anon_entity", f"/en/entities/{rng.choice(plan['entities'])}/")
        else:
            session.request("anon_country", f"/en/countries/{rng.choice(plan['countries'])}/",
                            expect=(200, 404))


def member(session: Session, plan: dict, index: int, stop: float, results: Results) -> None:
    account = plan["members"][index]
    if not log_in(session, account["email"], plan["password"], "member_login"):
        results.error("member_login", account["email"], "login refused")
        return
    for pledge_id in account["drafts"]:
        for save in range(MIXED["saves_per_pledge"]):
            if time.monotonic() >= stop:
                return
            marker = f"[save {plan['tag']}-{index}-{pledge_id}-{save}]"
            status, _text, location = session.form_post(
                "member_save", f"/en/my-pledges/{pledge_id}/edit/basics/",
                {"summary": f"Connect rural communities with community networks. {marker}"},
                marker_field="version")
            if status == 302 and "/edit/" in location:
                with results.lock:
                    results.saves.append(marker)
        if time.monotonic() >= stop:
            return
        status, _text, _location = session.form_post(
            "member_submit", f"/en/my-pledges/{pledge_id}/review/", {},
            marker_field="expected_status", get_kind="member_review_page")
        if status == 302:
            with results.lock:
                results.submits.append(pledge_id)


def secretariat(session: Session, plan: dict, stop: float, results: Results, totp_code) -> None:
    if not log_in(session, plan["secretariat"], plan["password"], "secretariat_login"):
        results.error("secretariat_login", plan["secretariat"], "login refused")
        return
    code = totp_code()
    status, _text, _location = session.form_post(
        "secretariat_login", "/en/accounts/2fa/authenticate/", {"code": code},
        marker_field="code", get_kind="secretariat_login_page")
    if status != 302:
        results.error("secretariat_login", "2fa", f"second factor refused ({status})")
        return
    changelist = "/en/admin/pledges/pledge/"
    while time.monotonic() < stop:
        query = urllib.parse.urlencode({"status__exact": "submitted",
                                        "q": f"[mixed {plan['tag']}]"})
        status, page, _location = session.request("secretariat_queue", f"{changelist}?{query}")
        ids = re.findall(r'name="_selected_action" value="(\d+)"', page)
        if not ids:
            time.sleep(1)
            continue
        batch = ids[:5]
        form = [fields for _a, fields in forms_of(page) if "csrfmiddlewaretoken" in fields]
        token = form[0]["csrfmiddlewaretoken"] if form else [""]
        status, _text, _location = session.request(
            "secretariat_publish", f"{changelist}?{query}",
            {"csrfmiddlewaretoken": token, "action": "publish_selected", "index": "0",
             "_selected_action": batch, "confirm": "yes", "embargo_until": ""},
            expect=(302, 200))
        if status in (200, 302):
            with results.lock:
                results.publishes.extend(int(pk) for pk in batch)


# --- orchestration ----------------------------------------------------------------------------

def django_step(env: dict, *args: str) -> dict:
    result = subprocess.run(  # noqa: S603 -- this file, fixed arguments
        [sys.executable, str(Path(__file__)), *args], cwd=ROOT, env=env, check=False,
        text=True, capture_output=True)
    if result.returncode:
        sys.exit(f"mixed {args[0]} failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def run(bench, env: dict) -> dict:
    """The whole mixed run against the bench database `bench` (bench/run.py) prepared."""
    tag = datetime.datetime.now(datetime.UTC).strftime("%H%M%S") + secrets.token_hex(2)
    mailbox = ROOT / "var" / "bench" / f"mailbox-{tag}"
    mailbox.mkdir(parents=True, exist_ok=True)
    env = {**env, "EMAIL_URL": f"filemail://{mailbox}"}
    password = secrets.token_urlsafe(16)
    bench.log(f"mixed load: preparing {MIXED['members']} members with {MIXED['drafts']} "
              "drafts each, and a secretariat account")
    # Before the setup: its emails (the applications and approvals) are accounted for too.
    started = datetime.datetime.now(datetime.UTC).isoformat()
    plan = django_step(env, "setup", tag, password)
    worker_log = (ROOT / "var" / "bench" / "worker.log").open("w")
    worker = subprocess.Popen(  # noqa: S603
        [str(Path(sys.executable).with_name("celery")), "-A", "p2c_portal", "worker", "-l",
         "warning", "-c", str(MIXED["worker_concurrency"])],
        cwd=ROOT, env=env, stdout=worker_log, stderr=subprocess.STDOUT, start_new_session=True)
    gunicorn = bench.start_gunicorn(env)
    results = Results()
    base = f"http://127.0.0.1:{bench.CFG['port']}"
    stop = time.monotonic() + MIXED["seconds"]
    def code() -> str:
        return django_step(env, "code", plan["totp_secret"])["code"]

    threads = [threading.Thread(target=secretariat, args=(Session(base, results), plan,
                                                          stop, results, code))]
    for index in range(min(MIXED["members"], MIXED["clients"] - 1)):
        threads.append(threading.Thread(target=member, args=(
            Session(base, results), plan, index, stop, results)))
    for number in range(MIXED["clients"] - len(threads)):
        threads.append(threading.Thread(target=anonymous_visitor, args=(
            Session(base, results), plan, stop, random.Random(number))))  # noqa: S311 -- load shape
    bench.log(f"mixed load: {len(threads)} clients for {MIXED['seconds']} s")
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        bench.log("mixed load: waiting for the worker to send the emails")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if django_step(env, "pending", started)["pending"] == 0:
                break
            time.sleep(2)
    finally:
        bench.stop_gunicorn(gunicorn)
        bench.stop_gunicorn(worker)
        worker_log.close()
    ledger = ROOT / "var" / "bench" / f"mixed-{tag}.json"
    ledger.write_text(json.dumps({"saves": results.saves, "submits": results.submits,
                                  "publishes": sorted(set(results.publishes))}))
    account = django_step(env, "verify", tag, started, str(ledger), str(mailbox))
    return {"config": MIXED, "tag": tag, "kinds": results.summary(),
            "errors": len(results.errors), "error_examples": results.errors[:10],
            "account": account}


def table(mixed: dict) -> str:
    a = mixed["account"]
    lines = [f"Mixed load: {mixed['config']['clients']} clients for "
             f"{mixed['config']['seconds']} s — errors: {mixed['errors']}",
             "", "| kind of request | requests | p50 ms | p99 ms |", "|---|---:|---:|---:|"]
    for kind, row in mixed["kinds"].items():
        lines.append(f"| {kind} | {row['requests']} | {row['p50_ms']} | {row['p99_ms']} |")
    lines += [
        "",
        f"Writes: {a['saves_acknowledged']} section saves acknowledged — lost {a['saves_lost']}, "
        f"duplicated {a['saves_duplicated']}; {a['submits_acknowledged']} submissions — lost "
        f"{a['submits_lost']}, duplicated {a['submits_duplicated']}; "
        f"{a['publishes_acknowledged']} publications — lost {a['publishes_lost']}, duplicated "
        f"{a['publishes_duplicated']}.",
        f"Emails: {a['emails_queued']} queued, by status {a['emails_by_status']}; "
        f"{a['emails_in_mailbox']} in the mailbox, {a['emails_not_in_mailbox']} sent but missing, "
        f"{a['emails_in_mailbox_twice']} delivered twice.",
    ]
    return "\n".join(lines)


def main() -> None:
    step = sys.argv[1]
    _django()
    if step == "setup":
        print(json.dumps(setup(sys.argv[2], sys.argv[3])))
    elif step == "code":
        print(json.dumps({"code": totp_code(sys.argv[2])}))
    elif step == "pending":
        print(json.dumps({"pending": emails_pending(sys.argv[2])}))
    elif step == "verify":
        print(json.dumps(verify(*sys.argv[2:6]), default=str))
    else:
        sys.exit(f"unknown step {step}")


if __name__ == "__main__":
    main()
