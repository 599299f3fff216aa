"""The hostile-input tests' shared machinery (issue #15): the corpus of hostile values, a parser
of a page's forms and links, the dataset whose objects fill the URL patterns' arguments, and a
feeder that sends requests and records every 500, unescaped echo and form shown again without
what was typed. Used by tests/p2c_portal/test_hostile_input.py (the site) and
test_hostile_admin_input.py (the secretariat's admin)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver

from pledges.completeness import SECTION_NAMES
from reporting.models import ReportingCycle
from tests.factories import (
    EntityFactory,
    EventFactory,
    MembershipFactory,
    NeedFactory,
    PledgeFactory,
    UserFactory,
)

MARKUP = '<script>alert("p2c-xss")</script>"><img src=x onerror=alert(1)>'
UNESCAPED_MARKERS = ('<script>alert("p2c-xss")', "<img src=x onerror")

# Every category once per field. Several values per category rotate between fields.
CORPUS: dict[str, tuple[str, ...]] = {
    "nul_and_control": ("a\x00b", "\x00", "x\x01\x08\x1b[31m\x7fy", "line\r\nbreak\x0b\x0c"),
    "unicode_digits": ("²", "٤٢", "Ⅻ", "²²²²", "１２", "௰"),
    "bidi_override": ("\u202eevil\u202c", "\u2066abc\u2069\u200f"),
    "zero_width": ("\u200b", "a\u200db\u2060c"),
    "bom": ("\ufeff", "\ufeff2024"),
    "long_10k": ("x" * 10_000, "é" * 10_000),
    "huge_and_negative_numbers": ("99999999999999999999999999999", "-1", "-99999999999",
                                  "1e308", "NaN", "-0", "0x1F", "9" * 400),
    "formula_starters": ('=HYPERLINK("http://evil.example")', "+1+1", "-2+3", "@SUM(1)",
                         "\t=1"),
    "sql_and_regex": ("' OR 1=1 --", "%_%\\", ".*[(+?{", "'; DROP TABLE pledges_pledge; --",
                      "$where", "\\"),
    "markup": (MARKUP,),
}
CATEGORIES = tuple(CORPUS)
MEGABYTE = "m" * 1_000_000
# The longest query value sent: 64 KB. The 1 MB values stay in bodies, because no server takes an
# address that long: gunicorn refuses a request line over 4,094 bytes (its limit_request_line)
# and nginx one over its large_client_header_buffers (8 KB) before Django sees it; Django itself
# must still cope with what a more generous proxy lets through.
LONG_QUERY_VALUE = ("q" * 1011 + "é\u202e\u200b%&=<\x00") * 64  # 65,536 bytes of UTF-8
# File names of uploads: a browser sends whatever the file is called on the person's disk.
HOSTILE_FILE_NAMES = (
    MEGABYTE + ".csv", "a\x00b.csv", "\u202ecod.exe.csv", MARKUP + ".csv", "é" * 10_000 + ".xlsx",
    "..\\..\\windows\\win.ini", "=HYPERLINK(1).csv", "\ufeff.csv", "\u200b", "CON.csv",
    "line\r\nbreak.csv", "' OR 1=1 --.csv",
)


def hostile_file_name(index: int) -> str:
    return HOSTILE_FILE_NAMES[index % len(HOSTILE_FILE_NAMES)]
# Malformed UTF-8, a BOM, NUL and a formula starter in one upload.
MALFORMED_UPLOAD = b"\xef\xbb\xbfname,=1+1\n\xff\xfe\xc3\x28\xa0\xa1,\x00\xe2\x28\xa1\n"

# Parameters every list-like page may read, asked even when no link of the page shows them.
COMMON_PARAMETERS = ("q", "page", "sort", "o", "p", "next", "entity", "country", "year", "group")

# Pages not fed: they serve files from disk or are a catch-all for unknown admin addresses.
NOT_PAGES = {"django.views.static.serve"}
# Forms whose POST ends the persona's session or deletes the dataset are sent last.
DESTRUCTIVE = re.compile(r"/(logout|delete|remove|withdraw|revoke)/")


@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, str] = field(default_factory=dict)  # name → input type
    files: set[str] = field(default_factory=set)
    hidden: dict[str, str] = field(default_factory=dict)  # name → value as served


class PageParser(HTMLParser):
    """The forms of a page and the query-string names of its links."""

    TEXT_TYPES = {"text", "search", "email", "url", "tel", "number", "date", "datetime-local",
                  "time", "month", "week", "textarea", "color", "range"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[str] = []
        self.values: dict[str, list[str]] = {}
        self._form: Form | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            self._form = Form(method=(attrs.get("method") or "get").lower(),
                              action=attrs.get("action") or "")
            self.forms.append(self._form)
        elif tag in ("input", "select", "textarea", "button") and attrs.get("name"):
            name = attrs["name"]
            kind = "textarea" if tag == "textarea" else tag if tag != "input" else (
                attrs.get("type") or "text").lower()
            if "hidden" in attrs or "hidden" in (attrs.get("class") or "").split():
                kind = "hidden"  # not shown: a username for password managers, say
            if tag == "input" and kind not in ("submit", "button", "image", "reset"):
                self.values.setdefault(name, []).append(attrs.get("value") or "")
            if tag == "textarea":
                self._textarea = name
                self.values.setdefault(name, []).append("")
            form = self._form
            if form is None or kind in ("submit", "button", "image", "reset"):
                return
            if kind == "file":
                form.files.add(name)
            elif kind == "hidden" and name in ("csrfmiddlewaretoken",):
                form.hidden[name] = attrs.get("value") or ""
            else:
                form.fields.setdefault(name, kind)

    def handle_data(self, data):
        if self._textarea is not None:
            self.values[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None


# --- The dataset and the URL arguments it fills ------------------------------------------------


def hostile_dataset(entity, entity_admin, member, secretariat, newcomer):
    from members.models import Invitation, JoinRequest, Membership
    from reporting.models import ReportRun
    from spreadsheets.models import FileImport, ImportJob

    event = EventFactory(slug="hostile-event")
    published = PledgeFactory(entity=entity, published=True, created_by=member)
    draft = PledgeFactory(entity=entity, created_by=member)
    cycle = ReportingCycle.objects.create(
        name_en="2024 annual report",
        period_start=datetime.date(2024, 1, 1), period_end=datetime.date(2024, 12, 31),
        opens_on=datetime.date(2025, 1, 15), due_on=datetime.date(2099, 3, 31),
    )
    invitation = Invitation.objects.create(
        entity=entity, email="invited@example.org", role="editor", token_hash="0" * 64,
        invited_by=entity_admin, expires_at=datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC),
    )
    applicant = UserFactory(email="applicant@example.org")
    join_request = JoinRequest.objects.create(entity=entity, user=applicant)
    viewer = UserFactory(email="viewer@minict.example.org")
    membership = MembershipFactory(user=viewer, entity=entity, role="viewer")
    run = ReportRun.objects.create(kind="event", title_en="Hostile report", event=event,
                                   cutoff=datetime.date(2024, 1, 1),
                                   as_of=datetime.date(2024, 1, 1))
    identity_change = _rows_of_every_admin_model(entity, entity_admin, member, published, cycle)
    # A request to join the published pledge (as funder), waiting for its administrators.
    from pledges.models import Partnership
    from tests.factories import EntityFactory

    pledge_join_request = Partnership.objects.create(
        pledge=published, entity=EntityFactory(name="Joining Fund"), role="funder",
        status="requested", requested_by=applicant, contribution="Co-financing.",
        amount=1000, currency="USD", usd_amount=1000)
    # An accepted funder of the published pledge whose proposed change of contribution waits
    # for `entity`'s administrators; and `entity` an accepted funder of another entity's
    # pledge, whose administrators may propose a change (pledges.partnerships).
    from pledges.models import PartnershipAmendment

    funding = Partnership.objects.create(
        pledge=published, entity=EntityFactory(name="Funding Partner"), role="funder",
        status="accepted", contribution="Co-financing.", amount=1000, currency="USD",
        usd_amount=1000)
    contribution_proposal = PartnershipAmendment.objects.create(
        partnership=funding, contribution="More co-financing.", amount=2000, currency="USD",
        usd_amount=2000, reason="A second grant.")
    entity_funds = Partnership.objects.create(
        pledge=PledgeFactory(entity=EntityFactory(name="Other Ministry"), published=True),
        entity=entity, role="funder", status="accepted", contribution="Grants.", amount=500,
        currency="USD", usd_amount=500)
    file_import = FileImport.objects.create(
        model="pledges.pledge", file_name="roundtable.csv", stored_name="gone.csv", file_format=0,
        status=FileImport.Status.IMPORTED, previewed_by=secretariat, imported_by=secretariat,
        imported_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC),
        outcome={"new": 1, "updated": 0, "skipped": 0, "drafts": 0, "warned": 0,
                 "rows": [{"line": 2, "action": "new", "record": "A pledge",
                           "object_id": published.pk, "warnings": [], "missing": []}]},
    )
    # A big file's preview that failed in the background: its status page says what failed.
    import_job = ImportJob.objects.create(
        kind=ImportJob.Kind.PREVIEW, model="pledges.pledge", file_name="roundtable.csv",
        stored_name="gone.csv", rows_total=900, requested_by=secretariat,
        status=ImportJob.Status.FAILED, error="The uploaded file is no longer available.",
    )
    # A visitor following the published pledge by email, and last week's digest to them.
    from following.models import Digest, Follow, Follower
    follower = Follower.objects.create(email="follower@example.net", language="en")
    follow = Follow.objects.create(follower=follower, kind="pledge", pledge=published,
                                   confirmed_at=datetime.datetime(2024, 1, 1,
                                                                  tzinfo=datetime.UTC))
    Digest.objects.create(follower=follower, week_start=datetime.date(2024, 1, 1))
    # Matchmaking: a draft need of `entity`, a published need of another entity that
    # `entity`'s published pledge is suggested for, and a pending proposal between them.
    from matchmaking.models import Introduction, Suggestion
    from pledges.models import PledgeAmendment

    need_draft = NeedFactory(entity=entity, created_by=member)
    need_published = NeedFactory(entity=EntityFactory(name="Needing Ministry"), published=True)
    Suggestion.objects.create(need=need_published, pledge=published, score=8,
                              reasons=["same_country", "same_area"])
    introduction = Introduction.objects.create(
        need=need_published, pledge=published, from_entity=entity,
        to_entity=need_published.entity, proposed_by=entity_admin, message="Let us talk.")

    return {
        "need_draft": need_draft, "need_published": need_published,
        "introduction": introduction,
        "amendment": PledgeAmendment.objects.get(pledge=published),
        "follow": follow,
        "import_job": import_job,
        "entity": entity, "published": published, "draft": draft, "event": event,
        "cycle": cycle, "invitation": invitation, "join_request": join_request,
        "pledge_join_request": pledge_join_request,
        "funding": funding, "contribution_proposal": contribution_proposal,
        "entity_funds": entity_funds,
        "membership": membership, "run": run, "applicant": applicant,
        "identity_change": identity_change, "file_import": file_import, "personas": {
            "anonymous": None, "member": member, "entity_admin": entity_admin,
            "secretariat": secretariat,
        }, "memberships": Membership,
    }


def _rows_of_every_admin_model(entity, entity_admin, member, published, cycle):
    """One row of each model the admin lists that the rest of the dataset leaves empty, so that
    every change, history and delete page is opened. Returns the identity change."""
    from django_celery_beat.models import (
        ClockedSchedule,
        CrontabSchedule,
        IntervalSchedule,
        PeriodicTask,
        SolarSchedule,
    )

    from action_areas.models import Country
    from members.models import EntityIdentityChange
    from p2c_portal.models import OutboundEmail
    from pledges.rates import currency_rates_upload
    from reporting.models import ProgressReport, Reminder
    from spreadsheets.models import ColumnMapping

    every_minute = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.MINUTES)
    CrontabSchedule.objects.create(minute="0", hour="3")
    SolarSchedule.objects.create(event="sunrise", latitude=-1.95, longitude=30.06)
    ClockedSchedule.objects.create(
        clocked_time=datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC))
    PeriodicTask.objects.create(name="hostile sweep", task="p2c_portal.tasks.outbound_email_sweep",
                                interval=every_minute)
    OutboundEmail.objects.create(to=["member@example.org"], subject="Your pledge",
                                 body_text="Hello")
    ProgressReport.objects.create(pledge=published, entity=published.entity,
                                  cycle=cycle, created_by=member)
    Reminder.objects.create(kind="draft_untouched", target_key=f"pledge:{published.pk}",
                            due_on=datetime.date(2024, 1, 1), pledge=published)
    # A rates upload: its record, and a rate with a history row (pledges.rates).
    currency_rates_upload(user=None, file_name="rates.csv",
                          content=b"currency,month,rate_per_usd\nKES,2022-06,116.5\n")
    ColumnMapping.objects.create(target="pledges.pledge", name="Roundtable template",
                                 signature="0" * 64, headings=["montant"],
                                 mapping={"montant": "amount"})
    # An invitation to co-pledge, an amendment under review, an API token.
    from api.models import ApiToken
    from pledges.models import Partnership, PledgeAmendment
    from pledges.pledge_changes import pledge_snapshot

    Partnership.objects.create(pledge=published, entity=EntityFactory(name="Partner NGO"),
                               invited_by=entity_admin)
    base = pledge_snapshot(published)
    PledgeAmendment.objects.create(pledge=published, entity=entity, proposed_by=member,
                                   reason="Budget cut.", base=base,
                                   proposed={**base, "description": "Amended description."})
    ApiToken.objects.create(name="Hostile client", prefix="p2c_abcdef", digest="0" * 64)
    # A campaign open until 2099, the published pledge proposed for it, with its audit row.
    from action_areas.models import Campaign
    from pledges.models import CampaignTag, CampaignTagChange

    campaign = Campaign.objects.create(slug="hostile-campaign", name_en="School connectivity",
                                       starts_on=datetime.date(2024, 1, 1),
                                       ends_on=datetime.date(2099, 12, 31))
    tag = CampaignTag.objects.create(pledge=published, campaign=campaign, proposed_by=member)
    CampaignTagChange.objects.create(tag=tag, actor=member, to_status=tag.status)
    kenya = Country.objects.get(iso3="KEN")
    return EntityIdentityChange.objects.create(
        entity=entity, name="Ministry of ICT and Innovation", stakeholder_group="government",
        headquarters_country=kenya, previous_name=entity.name,
        previous_stakeholder_group=entity.stakeholder_group,
        previous_headquarters_country=entity.headquarters_country or kenya,
        requested_by=entity_admin,
    )


def url_arguments(name: str, pattern, data) -> list[dict] | None:
    """The argument sets to open pattern `name` with (None: nobody knows how to fill them)."""
    entity, published, draft = data["entity"], data["published"], data["draft"]
    by_name = {
        "members:entity_public": [{"pk": entity.pk}],
        "members:entity_logo": [{"pk": entity.pk}],
        "members:join_request_create": [{"pk": entity.pk}],
        "members:entity_team": [{"pk": entity.pk}],
        "members:entity_edit": [{"pk": entity.pk}],
        "members:entity_respond": [{"pk": entity.pk}],
        "members:invitation_create": [{"pk": entity.pk}],
        "members:invitation_revoke": [{"pk": entity.pk,
                                       "invitation_id": data["invitation"].pk}],
        "members:membership_change_role": [{"pk": entity.pk,
                                            "membership_id": data["membership"].pk}],
        "members:membership_remove": [{"pk": entity.pk, "membership_id": data["membership"].pk}],
        "members:join_request_decide": [{"pk": entity.pk,
                                         "request_id": data["join_request"].pk}],
        "members:invitation_accept": [{"token": "not-a-real-token"}],
        "pledges:pledge_detail": [{"pk": published.pk}],
        "pledges:pledge_join": [{"pk": published.pk}, {"pk": draft.pk}],
        "pledges:partnership_respond": [{"pk": data["pledge_join_request"].pk}],
        "admin:pledges_partnership_decide": [
            {"partnership_id": data["pledge_join_request"].pk, "name": "decline_request"}],
        "pledges:partnership_contribution": [{"pk": data["entity_funds"].pk},
                                             {"pk": data["funding"].pk}],
        "pledges:contribution_proposal": [{"pk": data["contribution_proposal"].pk}],
        "pledges:contribution_proposal_withdraw": [{"pk": data["contribution_proposal"].pk}],
        "admin:pledges_partnershipamendment_decide": [
            {"amendment_id": data["contribution_proposal"].pk, "name": "decline_amendment"}],
        "api:pledge_detail": [{"pk": published.pk}],
        "api:entity_detail": [{"pk": entity.pk}],
        "pledges:amendment_withdraw": [{"pk": published.pk,
                                        "amendment_pk": data["amendment"].pk}],
        "pledges:country_detail": [{"iso3": "RWA"}],
        "pledges:event_detail": [{"slug": data["event"].slug}],
        "pledges:pledge_manage": [{"pk": draft.pk}, {"pk": published.pk}],
        "pledges:pledge_edit": [{"pk": draft.pk, "section": s} for s in SECTION_NAMES],
        "pledges:pledge_review": [{"pk": draft.pk}],
        "pledges:pledge_submit": [{"pk": draft.pk}],
        "pledges:pledge_withdraw": [{"pk": published.pk}],
        "pledges:pledge_delete": [{"pk": draft.pk}],
        "reporting:progress_list": [{"pk": published.pk}],
        "reporting:progress_edit": [{"pk": published.pk, "cycle_id": data["cycle"].pk}],
        "reporting:compiled_report_detail": [{"pk": data["run"].pk}],
        "reporting:goal_detail": [{"code": "usd-100-billion"}],
        "reporting:campaign_detail": [{"slug": "hostile-campaign"}],
        "reporting:compiled_report_file": [{"pk": data["run"].pk, "language": "en",
                                            "file_format": "pdf"}],
        "following:follow_new": [{"kind": "pledge", "key": published.pk},
                                 {"kind": "entity", "key": entity.pk},
                                 {"kind": "country", "key": "RWA"}],
        "following:follow_confirm": [{"token": data["follow"].token}],
        "following:follow_stop": [{"token": data["follow"].token}],
        "following:follower_stop_all": [{"token": data["follow"].follower.token}],
        "matchmaking:need_detail": [{"pk": data["need_published"].pk}],
        "matchmaking:need_manage": [{"pk": data["need_draft"].pk}],
        "matchmaking:need_submit": [{"pk": data["need_draft"].pk}],
        "matchmaking:need_close": [{"pk": data["need_draft"].pk}],
        "matchmaking:introduction_propose": [{"pk": data["need_published"].pk,
                                              "pledge_pk": published.pk}],
        "matchmaking:introduction_detail": [{"pk": data["introduction"].pk}],
        "admin:matchmaking_need_transition": [{"need_id": data["need_published"].pk,
                                               "name": "mark_met"}],
        "admin:matchmaking_need_introduce": [{"need_id": data["need_published"].pk}],
        "language_switch": [{"language": "fr"}],
        "account_confirm_email": [{"key": "not-a-key"}],
        "account_reset_password_from_key": [{"uidb36": "1", "key": "not-a-key"}],
        "admin:members_entity_transition": [{"entity_id": entity.pk, "name": "suspend"}],
        "admin:pledges_pledge_transition": [{"pledge_id": draft.pk, "name": "submit"}],
        "admin:pledges_pledgeamendment_decide": [{"amendment_id": data["amendment"].pk,
                                                  "name": "request_changes"}],
        "admin:reporting_reportrun_file": [{"run_id": data["run"].pk, "language": "en",
                                            "file_format": "pdf"}],
        "admin:reporting_reportrun_action": [{"run_id": data["run"].pk, "action": "publish"}],
        "admin:auth_user_password_change": [{"id": data["applicant"].pk}],
        "admin:members_entityidentitychange_decide": [
            {"change_id": data["identity_change"].pk, "name": "reject_identity"}],
        "admin:app_list": [{"app_label": "pledges"}],
        "admin:view_on_site": [{"content_type_id": _content_type_id(published),
                                "object_id": published.pk}],
    }
    if name in by_name:
        return by_name[name]
    # A new page whose only argument is its app's usual `pk` is fed without being listed.
    usual_pk = {"members": entity.pk, "pledges": draft.pk, "reporting": published.pk}
    app = name.split(":")[0]
    if app in usual_pk and set(pattern.pattern.regex.groupindex) == {"pk"}:
        return [{"pk": usual_pk[app]}]
    # The desk's pages of one record (assign, add a note): the entity, or the draft pledge.
    record = re.fullmatch(r"admin:(members_entity|pledges_pledge)_\w+", name)
    if record and set(pattern.pattern.regex.groupindex) == {"record_id"}:
        return [{"record_id": entity.pk if record.group(1) == "members_entity" else draft.pk}]
    if name.endswith("_import_result") and set(pattern.pattern.regex.groupindex) == {
            "file_import_id"}:
        return [{"file_import_id": data["file_import"].pk}]
    if name.endswith("_import_job") and set(pattern.pattern.regex.groupindex) == {"job_id"}:
        return [{"job_id": data["import_job"].pk}]
    history = re.fullmatch(r"admin:(\w+?)_(\w+)_simple_history", name)
    if history:  # django-simple-history's page of one past version: positional arguments
        from django.apps import apps

        model = apps.get_model(*history.groups())
        row = model.history.order_by("history_id").first()
        return [(row.pk, row.history_id)] if row is not None else []
    model_admin = getattr(pattern.callback, "model_admin", None)
    if model_admin is not None:  # the admin's change, delete and history pages
        first = model_admin.model._default_manager.order_by("pk").first()
        return [{"object_id": first.pk}] if first is not None else []
    return None


def _content_type_id(obj) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj).pk


def walk(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            yield pattern, (f"{namespace}:{pattern.name}" if namespace else pattern.name)


# --- Feeding -----------------------------------------------------------------------------------


def value_for(category: str, index: int) -> str:
    return _rotate(CORPUS[category], index)


def _rotate(values: tuple[str, ...], index: int) -> str:
    return values[index % len(values)]


class Feeder:
    def __init__(self, clients: dict[str, Client]):
        self.clients = clients
        self.problems: list[str] = []
        self.requests = 0

    def send(self, persona, method, path, data=None, **extra):
        self.requests += 1
        client = self.clients[persona]
        try:
            if method == "get":
                return client.get(path, data or {})
            return client.post(path, data or {}, **extra)
        except Exception as error:
            self.problems.append(f"{persona} {method.upper()} {path}: {type(error).__name__}: "
                                 f"{str(error)[:200]}  [{_summary(data)}]")
            return None

    def check(self, persona, method, path, data, response, form: Form | None = None):
        if response is None:
            return
        where = f"{persona} {method.upper()} {path} [{_summary(data)}]"
        if response.status_code >= 500:
            self.problems.append(f"{where}: status {response.status_code}")
            return
        if "html" not in response.get("Content-Type", "") or response.streaming:
            return
        body = response.content.decode(errors="replace")
        for marker in UNESCAPED_MARKERS:
            if marker in body:
                self.problems.append(f"{where}: hostile markup echoed unescaped")
        if form is not None and response.status_code in (200, 400, 409, 422):
            self.check_kept(where, form, data, body)

    def check_kept(self, where, form: Form, data, body):
        """A form shown again must still hold what was typed in its text fields."""
        parser = PageParser()
        parser.feed(body)
        shown = parser.values
        if not set(form.fields) <= set(shown):
            return  # another page (a confirmation, a list): not the form shown again
        for name, kind in form.fields.items():
            if kind not in PageParser.TEXT_TYPES or name not in data or "__prefix__" in name:
                continue  # (an inline's template row for new rows is never filled back)
            typed = _comparable(data[name])
            if typed and not any(_comparable(value) == typed for value in shown[name]):
                self.problems.append(f"{where}: '{name}' shown again without what was typed")


def _comparable(value) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    # What a browser would not send back or a form legitimately drops: NUL (replaced by the
    # HTML parser), line-break style, surrounding whitespace.
    value = str(value).replace("\x00", "").replace("\ufffd", "").replace("\r\n", "\n")
    return value.replace("\r", "\n").strip()


def _summary(data) -> str:
    if not data:
        return ""
    return ", ".join(f"{k}={str(v)[:30]!r}" for k, v in list(data.items())[:6])[:300]


def feed_parameters(feeder: Feeder, persona: str, path: str, names: list[str], turn: int = 0):
    """Every parameter gets every category once (a Latin square); then the 64 KB value goes to
    one parameter, a different one at each `turn` (a page echoes the whole query string in its
    links: the long value in every parameter at once would only make the test slow)."""
    for k in range(len(CATEGORIES)):
        query = {name: value_for(CATEGORIES[(i + k) % len(CATEGORIES)], i + k)
                 for i, name in enumerate(names)}
        feeder.check(persona, "get", path, query, feeder.send(persona, "get", path, query))
    if names:
        query = {names[turn % len(names)]: LONG_QUERY_VALUE}
        feeder.check(persona, "get", path, query, feeder.send(persona, "get", path, query))


def feed_form(feeder: Feeder, persona: str, path: str, form: Form, refresh):
    """Visible fields in a Latin square with the hidden ones as served (a version number must
    match for a save to happen at all); then the hidden fields on their own."""
    visible = sorted(name for name, kind in form.fields.items() if kind != "hidden")
    hidden = sorted(name for name, kind in form.fields.items() if kind == "hidden")
    for names, served in ((visible, True), (hidden, False)):
        if not names:
            continue
        for k in range(len(CATEGORIES)):
            data = dict(refresh(served))
            for i, name in enumerate(names):
                data[name] = value_for(CATEGORIES[(i + k) % len(CATEGORIES)], i + k)
            for name in form.files:
                data[name] = SimpleUploadedFile(hostile_file_name(k), MALFORMED_UPLOAD,
                                                content_type="text/csv")
            feeder.check(persona, "post", path, data, feeder.send(persona, "post", path, data),
                         form)
        for i in range(0, len(names), 2):
            data = {**refresh(served), **dict.fromkeys(names[i:i + 2], MEGABYTE)}
            for name in form.files:  # and a file whose name is 1 MB long
                data[name] = SimpleUploadedFile(MEGABYTE + ".csv", b"a,b\n1,2\n")
            feeder.check(persona, "post", path, data, feeder.send(persona, "post", path, data),
                         form)


