"""Every currency counted: converting pledges to US dollars at the UN operational rates of
exchange, and the secretariat's monthly upload of those rates.

**Which rate.** The UN Treasury publishes one operational rate per currency per month (units of
the currency for one US dollar, effective from the first of the month; mid-month revisions only
for a currency that moved sharply). A pledge is converted at the rate of the month its amount was
pledged: the month of its first submission (when the entity committed to it before the
coalition), or, for a draft never submitted, the month of the amount's last change (provisional:
the first submission fixes it). Later corrections of the amount (a change request, the review
desk) keep that month: the amount was pledged then. The rate and its month are recorded with the
pledge (usd_rate, usd_rate_date = the first day of the rate's month, usd_rate_is_test_data), so a
figure never moves with the day it is read.

**No rate yet.** A pledge whose month has no rate keeps usd_amount empty: the desk flags it, its
page says "USD equivalent pending", and every total counts it apart ("+ N pledges in other
currencies awaiting a rate"). It is never dropped silently.

**An upload.** `currency_rates_upload` validates the whole file first (pledges.rate_files: every
bad row named, nothing saved if one is bad), then writes the rates that are new or different
(each change kept in the rates' history, with the upload record: who, when, which file, which
rows). The same file twice changes nothing and records nothing. When it changed rates, the upload
record is also a job (p2c_portal.jobs): after commit a worker converts again exactly the pledges
of the (currency, month) pairs it changed, once, each under its row lock.
"""

import datetime
import hashlib
import logging
import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Case, DecimalField, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from p2c_portal.jobs import JobKind

from . import permissions
from .models import (
    CurrencyRate,
    CurrencyRateUpload,
    Partnership,
    PartnershipAmendment,
    Pledge,
    PledgeType,
    RateSource,
    first_of_month,
)
from .rate_files import RateFileError, RateRow, read_rates_file

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")

RATE_UPLOAD_JOBS = JobKind(
    CurrencyRateUpload,
    task="pledges.tasks.currency_rate_upload_convert",
    event="rate_upload",
    running=CurrencyRateUpload.Status.RUNNING,
    # Longer than the task's hard time limit (600 s).
    lease=datetime.timedelta(seconds=900),
    requeue_after=datetime.timedelta(seconds=600),
)

# The pledges converted per transaction by the job: each one's row lock is held only briefly.
CONVERT_BATCH = 200


# --- Converting one pledge --------------------------------------------------------------------

@dataclass(frozen=True)
class Conversion:
    usd_amount: Decimal | None
    usd_rate: Decimal | None
    usd_rate_date: datetime.date | None
    usd_rate_is_test_data: bool = False


NO_CONVERSION = Conversion(None, None, None)


def pledged_month(pledge: Pledge, today: datetime.date | None = None) -> datetime.date:
    """The first day of the month the pledge's amount was pledged (see the module's text)."""
    if pledge.first_submitted_at:
        return first_of_month(timezone.localdate(pledge.first_submitted_at))
    return first_of_month(today or timezone.localdate())


def rate_for(currency: str, month: datetime.date, *, rates: dict | None = None):
    """The CurrencyRate of `currency` for `month`, or None. `rates`: a dict that keeps the rates
    read, when many amounts are converted at once (an import, the job)."""
    key = (currency, month)
    if rates is not None and key in rates:
        return rates[key]
    rate = CurrencyRate.objects.filter(currency=currency, month=month).first()
    if rates is not None:
        rates[key] = rate
    return rate


def usd_conversion(amount: Decimal | None, currency: str, month: datetime.date, *,
                   rates: dict | None = None) -> Conversion:
    """`amount` of `currency` in US dollars at the UN operational rate of `month`;
    NO_CONVERSION when there is no amount, or no rate for that month yet."""
    if amount is None or not currency:
        return NO_CONVERSION
    month = first_of_month(month)
    if currency == "USD":
        return Conversion(amount, Decimal(1), month)
    rate = rate_for(currency, month, rates=rates)
    if rate is None:
        return NO_CONVERSION
    usd = (amount / rate.rate_per_usd).quantize(CENT, rounding=ROUND_HALF_UP)
    return Conversion(usd, rate.rate_per_usd, month, rate.is_test_data)


def usd_equivalent(amount: Decimal | None, currency: str, on: datetime.date | None = None, *,
                   rates: dict | None = None) -> tuple:
    """(usd_amount, rate per USD, month of the rate) at the rate of the month of `on` (this
    month by default); (None, None, None) without a rate for it."""
    conversion = usd_conversion(amount, currency, on or timezone.localdate(), rates=rates)
    return conversion.usd_amount, conversion.usd_rate, conversion.usd_rate_date


CONVERSION_FIELDS = ["amount_month", "usd_amount", "usd_rate", "usd_rate_date",
                     "usd_rate_is_test_data"]


def pledge_convert(pledge: Pledge, *, month: datetime.date | None = None,
                   rates: dict | None = None) -> list[str]:
    """Set the pledge's month and USD equivalent from its amount and currency (not saved), at
    the rate of `month` (by default the month it was pledged: `pledged_month`). Returns the
    fields it sets, for `save(update_fields=...)`."""
    if pledge.amount is None or not pledge.currency:
        pledge.amount_month = None
        conversion = NO_CONVERSION
    else:
        pledge.amount_month = first_of_month(month) if month else pledged_month(pledge)
        conversion = usd_conversion(pledge.amount, pledge.currency, pledge.amount_month,
                                    rates=rates)
    pledge.usd_amount = conversion.usd_amount
    pledge.usd_rate = conversion.usd_rate
    pledge.usd_rate_date = conversion.usd_rate_date
    pledge.usd_rate_is_test_data = conversion.usd_rate_is_test_data
    return list(CONVERSION_FIELDS)


def usd_committed(*, usd: str = "usd_amount", pledge_type: str = "pledge_type",
                  contributions: str = "contributions_usd", condition: Q | None = None) -> Sum:
    """The USD committed by the pledges summed: each financial pledge's USD equivalent, plus,
    once, the contributions of every pledge's accepted funders (Pledge.contributions_usd, kept
    by pledges.partnerships: a funder's contribution is not a second pledge). None when there
    is neither. The names are the columns or annotations to read (through a relation, say
    "pledge__usd_amount"; as of a date, the values then); `condition` filters the rows summed."""
    return Sum(usd_committed_by_pledge(usd=usd, pledge_type=pledge_type,
                                       contributions=contributions), filter=condition)


def usd_committed_by_pledge(*, usd: str = "usd_amount", pledge_type: str = "pledge_type",
                            contributions: str = "contributions_usd") -> Case:
    """One pledge's share of usd_committed (None when it has none): what that sum adds up."""
    own = Q(**{pledge_type: PledgeType.FINANCIAL, f"{usd}__isnull": False})
    return Case(
        When(own, then=F(usd) + Coalesce(F(contributions), Value(Decimal(0)))),
        default=F(contributions),
        output_field=DecimalField(max_digits=20, decimal_places=2),
    )


def awaiting_rate() -> Q:
    """The pledges counted apart from every USD total: financial, with an amount in a currency,
    and no USD equivalent yet (no rate for their month)."""
    # amount_month is set exactly when there is an amount in a currency (pledge_convert), and
    # is in the public counting index with usd_amount: counted without reading the table.
    return (Q(pledge_type=PledgeType.FINANCIAL) & Q(amount_month__isnull=False)
            & Q(usd_amount__isnull=True))


# --- Uploading a month's rates ----------------------------------------------------------------

@dataclass(frozen=True)
class UploadResult:
    upload: CurrencyRateUpload | None  # None: the file changed nothing
    rows: int
    changed: int
    notes: list[str]


def currency_rates_upload(*, user, file_name: str, content: bytes,
                          source: str | None = None) -> UploadResult:
    """Read a rates file (UN Treasury XML or Excel, or CSV currency,month,rate_per_usd), check
    every row, and save its new or changed rates with an upload record. Raises RateFileError
    (every bad row named) and saves nothing when a row is bad. `source`: test data is marked
    so by the command that loads it, never by the admin. `user` None: a management command."""
    if user is not None and not permissions.can_upload_rates(user):
        raise permissions.PermissionDenied(_("Only the secretariat can upload rates."))
    parsed = read_rates_file(file_name, content)
    source = source or (RateSource.SECRETARIAT if parsed.file_format == "csv"
                        else RateSource.UN_TREASURY)
    with transaction.atomic():
        return _save_rates(user=user, file_name=file_name, content=content, parsed=parsed,
                           source=source)


def _save_rates(*, user, file_name, content, parsed, source) -> UploadResult:
    keys = {(row.currency, row.month) for row in parsed.rows}
    currencies = {currency for currency, _month in keys}
    months = {month for _currency, month in keys}
    existing = {
        (rate.currency, rate.month): rate
        for rate in CurrencyRate.objects.select_for_update().filter(
            currency__in=currencies, month__in=months
        )
    }
    changed: list[tuple[RateRow, CurrencyRate | None]] = []
    for row in parsed.rows:
        rate = existing.get((row.currency, row.month))
        if rate is None or rate.rate_per_usd != row.rate_per_usd or rate.source != source:
            changed.append((row, rate))
    if not changed:
        return UploadResult(None, len(parsed.rows), 0, parsed.notes)
    upload = CurrencyRateUpload.objects.create(
        uploaded_by=user if getattr(user, "pk", None) else None,
        file_name=file_name[:255],
        file_sha256=hashlib.sha256(content).hexdigest(),
        file_format=parsed.file_format,
        source=source,
        rows=[row.as_json() for row in parsed.rows],
        changes=[
            {**row.as_json(), "replaced": str(rate.rate_per_usd) if rate else None}
            for row, rate in changed
        ],
        notes=parsed.notes,
    )
    for row, rate in changed:
        if rate is None:
            rate = CurrencyRate(currency=row.currency, month=row.month)
        rate.rate_per_usd = row.rate_per_usd
        rate.source = source
        rate.upload = upload
        rate._change_reason = f"upload {upload.pk}: {file_name}"[:100]
        rate.save()  # one by one: each change is a history row
    RATE_UPLOAD_JOBS.enqueue_on_commit(upload.pk)
    logger.info("rate_upload.saved", extra={"upload_id": upload.pk, "changed": len(changed)})
    return UploadResult(upload, len(parsed.rows), len(changed), parsed.notes)


# --- Converting again the pledges an upload concerns (the job) ---------------------------------

def upload_pairs(upload: CurrencyRateUpload) -> list[tuple[str, datetime.date]]:
    """The (currency, month) pairs whose rates an upload changed."""
    return [(change["currency"], datetime.date.fromisoformat(change["month"]))
            for change in upload.changes]


def upload_pledges(upload: CurrencyRateUpload):
    """Exactly the pledges an upload's changes concern: financial pledges in a changed currency
    whose amount was pledged in the changed month (waiting for that rate, or converted at the
    rate it replaced)."""
    pairs = Q(pk__in=[])
    for currency, month in upload_pairs(upload):
        pairs |= Q(currency=currency, amount_month=month)
    return Pledge.objects.filter(pairs, pledge_type=PledgeType.FINANCIAL,
                                 amount__isnull=False)


def currency_rate_upload_convert(*, upload_id: int) -> bool:
    """Claim the upload's job (PENDING → running) and convert its pledges again; False when
    another worker had it or it is done."""
    return RATE_UPLOAD_JOBS.work(
        upload_id, lambda claim: _convert_upload_pledges(upload_id=upload_id, claim=claim)
    )


def _convert_upload_pledges(*, upload_id: int, claim: uuid.UUID) -> bool:
    upload = CurrencyRateUpload.objects.get(pk=upload_id)
    pledge_ids = list(upload_pledges(upload).order_by("pk").values_list("pk", flat=True))
    converted = 0
    rates: dict = {}
    for start in range(0, len(pledge_ids), CONVERT_BATCH):
        if not RATE_UPLOAD_JOBS.renew(upload_id, claim):
            return False  # the sweep judged this worker dead and gave the job to another
        converted += pledges_convert_again(pledge_ids[start:start + CONVERT_BATCH], rates=rates)
    # Funders' contributions to pledges (joining as a funder, or a proposed new amount) wait
    # for the same rates.
    contributions_convert_again(upload_pairs(upload))
    return RATE_UPLOAD_JOBS.finish(upload_id, claim, CurrencyRateUpload.Status.DONE,
                                   pledges_converted=converted, last_error="")


@transaction.atomic
def pledges_convert_again(pledge_ids: list[int], *, rates: dict | None = None) -> int:
    """Convert these pledges again at their month's rate, each read under its row lock (the lock
    a member's or the desk's save takes: pledges.services), so that an edit saved meanwhile is
    neither lost nor converted with a stale amount. Only the conversion's own fields are
    written and the pledge's version is left alone: a person's open form stays valid. A pledge
    whose figures are already right is not written: running it twice changes nothing. Returns
    how many pledges changed."""
    changed = 0
    for pledge in Pledge.objects.select_for_update().filter(pk__in=pledge_ids).order_by("pk"):
        if pledge.pledge_type != PledgeType.FINANCIAL or pledge.amount is None:
            continue
        before = [getattr(pledge, field) for field in CONVERSION_FIELDS]
        fields = pledge_convert(pledge, month=pledge.amount_month or pledged_month(pledge),
                                rates=rates)
        if [getattr(pledge, field) for field in CONVERSION_FIELDS] != before:
            pledge.save(update_fields=[*fields, "updated_at"])
            changed += 1
    return changed



# --- Funders' contributions to pledges (pledges.partnerships) -----------------------------------

def contributions_sum_again(pledge_id: int) -> Decimal | None:
    """Sum a pledge's accepted funders' contributions in USD again under the pledge's row lock
    (so that two funders accepted at once are both counted, once) and store the sum with a new
    updated_at, which tells the public caches (pledges.public_cache) to recompute."""
    Pledge.objects.select_for_update(of=("self",)).filter(pk=pledge_id).values_list("pk").first()
    total = (Partnership.objects.accepted()
             .filter(pledge_id=pledge_id, role=Partnership.Role.FUNDER, usd_amount__isnull=False)
             .aggregate(usd=Sum("usd_amount"))["usd"])
    Pledge.objects.filter(pk=pledge_id).update(contributions_usd=total, updated_at=timezone.now())
    return total


@transaction.atomic
def contributions_convert_again(pairs: list[tuple[str, datetime.date]]) -> int:
    """Convert again the funders' amounts given in these (currency, month) pairs, partnerships
    and proposals alike, at the month's rate as it now stands (the upload job, after an upload
    changed those rates): an amount that waited for its rate is counted from now on, and a
    corrected rate corrects it. Each row is read under its lock; a row already right is not
    written, so running it twice changes nothing. The pledges whose accepted funders changed sum
    their contributions again. Returns how many contributions changed."""
    if not pairs:
        return 0
    matching = Q(pk__in=[])
    for currency, month in pairs:
        matching |= Q(currency=currency, amount_month=month)
    changed = 0
    pledges_to_sum = set()
    rates: dict = {}
    # Proposals before partnerships, then pledges: the order in which an answer to a proposal
    # (partnerships.partnership_amendment_transition) locks them, or the two deadlock.
    for model in (PartnershipAmendment, Partnership):
        rows = (model.objects.select_for_update(of=("self",))
                .filter(matching, amount__isnull=False).order_by("pk"))
        for row in rows:
            conversion = usd_conversion(row.amount, row.currency, row.amount_month, rates=rates)
            after = (conversion.usd_amount, conversion.usd_rate, conversion.usd_rate_date)
            if after == (row.usd_amount, row.usd_rate, row.usd_rate_date):
                continue
            row.usd_amount, row.usd_rate, row.usd_rate_date = after
            row.save(update_fields=["usd_amount", "usd_rate", "usd_rate_date"])
            changed += 1
            if (model is Partnership and row.status == Partnership.Status.ACCEPTED
                    and row.role == Partnership.Role.FUNDER):
                pledges_to_sum.add(row.pledge_id)
    for pledge_id in sorted(pledges_to_sum):
        contributions_sum_again(pledge_id)
    return changed

def rate_uploads_sweep() -> int:
    """Re-queue conversions whose task was lost (broker down at upload, worker killed)."""
    return RATE_UPLOAD_JOBS.sweep()


__all__ = ["RateFileError", "currency_rates_upload", "pledge_convert", "usd_conversion"]
