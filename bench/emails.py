"""`make bench-emails`: how many emails a minute one Celery worker of the `emails` queue sends.

Issue 24 asks for the sizing of a deployment: emails per minute per worker. This measures it
through the production path: rows made by `p2c_portal.mail.email_queue` (as every email of the
site is), queued on Redis, claimed and sent by a real `celery worker -Q emails` (the production
settings, the prefork pool as in docker-compose.yml), over SMTP to a local mail server.

1. The database (BENCH_EMAILS_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/
   p2c_bench_emails) is created if missing and migrated. Redis: BENCH_EMAILS_REDIS_URL (default
   db 12, apart from the other benches' db 11); its `emails` queue is emptied before each run.
2. A small SMTP server in this process accepts every message (it answers the commands Django's
   SMTP backend sends), after BENCH_SMTP_DELAY_MS milliseconds per message: 0 measures the
   worker alone; a real relay takes tens of milliseconds (BENCH_SMTP_DELAYS, default "0,100").
3. For each worker concurrency of BENCH_EMAILS_CONCURRENCY (default "1,4") and each delay:
   BENCH_EMAILS (default 400) emails are queued while no worker runs, then the worker starts;
   the rate is counted from the first `sent_at` to the last, so that the worker's start-up is
   left out. Every email must end SENT (the run fails otherwise).
4. A table on stdout; everything in var/bench/emails-<timestamp>.json.
"""

from __future__ import annotations

import datetime
import json
import os
import socketserver
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent

CONFIG = {
    "database_url": os.environ.get(
        "BENCH_EMAILS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/p2c_bench_emails"),
    "redis_url": os.environ.get("BENCH_EMAILS_REDIS_URL", "redis://127.0.0.1:6379/12"),
    "emails": int(os.environ.get("BENCH_EMAILS", "400")),
    "concurrency": [int(n) for n in os.environ.get("BENCH_EMAILS_CONCURRENCY", "1,4").split(",")],
    "smtp_delays_ms": [int(n) for n in os.environ.get("BENCH_SMTP_DELAYS", "0,100").split(",")],
}


class _SmtpSession(socketserver.StreamRequestHandler):
    """Just enough SMTP for Django's backend: every message accepted, after the delay."""

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("220 bench ESMTP")
        while line := self.rfile.readline():
            verb = line.decode(errors="replace").strip().split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 bench")
            elif verb == "DATA":
                self.reply("354 end with .")
                while self.rfile.readline() not in (b".\r\n", b".\n", b""):
                    pass
                time.sleep(self.server.delay_seconds)
                self.server.count += 1
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:  # MAIL, RCPT, RSET, NOOP
                self.reply("250 ok")


class SmtpSink(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _SmtpSession)
        self.delay_seconds = 0.0
        self.count = 0


def _environment(smtp_port: int) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "p2c_portal.settings.production",
        "DJANGO_SECRET_KEY": "bench-emails-only-" + "x7#Lq2$Vb9!Tz4@Nm8%Rc3^Wd6&Yf1*Hg5(Jk0)",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": CONFIG["database_url"],
        "REDIS_URL": CONFIG["redis_url"],
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "LOG_LEVEL": "WARNING",
    }


def _create_database() -> None:
    import psycopg2

    url = urlsplit(CONFIG["database_url"])
    name = url.path.lstrip("/")
    admin = psycopg2.connect(CONFIG["database_url"].replace(url.path, "/postgres", 1))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def _run(sink: SmtpSink, concurrency: int, delay_ms: int, environment: dict) -> dict:
    import redis
    from django.db.models import Max, Min

    from p2c_portal.mail import email_queue
    from p2c_portal.models import OutboundEmail

    OutboundEmail.objects.all().delete()
    redis.Redis.from_url(CONFIG["redis_url"]).delete("emails")
    sink.delay_seconds, sink.count = delay_ms / 1000, 0
    for index in range(CONFIG["emails"]):
        email_queue(to=[f"member-{index}@example.org"], subject=f"Bench email {index}",
                    body_text="Your pledge was published.\n" * 20, template="bench/emails",
                    language="en")
    log_path = ROOT / "var" / "bench" / f"emails-worker-c{concurrency}-d{delay_ms}.log"
    with log_path.open("w") as log:
        worker = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "p2c_portal", "worker", "-Q", "emails",
             "--pool", "prefork", "--concurrency", str(concurrency), "-l", "warning",
             "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60 + CONFIG["emails"] * (0.5 + delay_ms / 1000)
        while OutboundEmail.objects.exclude(status=OutboundEmail.Status.SENT).exists():
            if worker.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the worker did not send every email; see {log_path}")
            time.sleep(0.5)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    span = OutboundEmail.objects.aggregate(first=Min("sent_at"), last=Max("sent_at"))
    seconds = (span["last"] - span["first"]).total_seconds()
    per_minute = (CONFIG["emails"] - 1) / seconds * 60 if seconds else float("inf")
    return {"concurrency": concurrency, "smtp_delay_ms": delay_ms, "emails": CONFIG["emails"],
            "received_by_smtp": sink.count, "seconds": round(seconds, 2),
            "emails_per_minute": round(per_minute)}


def main() -> None:
    sink = SmtpSink()
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    environment = _environment(sink.server_address[1])
    _create_database()
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
                   cwd=ROOT, env=environment, check=True)
    os.environ.update(environment)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    results = [_run(sink, concurrency, delay, environment)
               for delay in CONFIG["smtp_delays_ms"] for concurrency in CONFIG["concurrency"]]
    print(f"{'processes':>9} {'SMTP delay':>10} {'emails':>6} {'seconds':>8} {'emails/min':>10}")
    for row in results:
        print(f"{row['concurrency']:>9} {row['smtp_delay_ms']:>8}ms {row['emails']:>6} "
              f"{row['seconds']:>8} {row['emails_per_minute']:>10}")
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = ROOT / "var" / "bench" / f"emails-{stamp}.json"
    out.write_text(json.dumps({"config": CONFIG, "cpus": os.cpu_count(),
                               "load_average": os.getloadavg(), "results": results}, indent=2))
    print(f"written: {out}")
    sink.shutdown()


if __name__ == "__main__":
    main()
