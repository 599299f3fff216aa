"""The email backend of `make run` (no EMAIL_URL): each email printed for a person to read.

Django's console backend prints the raw MIME message on stdout, where the JSON log lines go: a
French subject comes out RFC 2047-encoded, an HTML part doubles the message, and the lines of
the eager delivery task are interleaved with it. This one writes each email as one block on
stderr — the headers that matter, decoded, then the text body as written — after flushing the
log lines already written, so the block is never cut through.
"""

import sys

from django.core.mail.backends.console import EmailBackend as ConsoleEmailBackend
from django.core.mail.message import EmailMessage

WIDTH = 79


def _rule(label: str = "") -> str:
    return f"{'=' * 3} {label} {'=' * (WIDTH - len(label) - 5)}" if label else "=" * WIDTH


class ReadableConsoleEmailBackend(ConsoleEmailBackend):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("stream", sys.stderr)
        super().__init__(*args, **kwargs)

    def write_message(self, message: EmailMessage) -> None:
        sent = message.message()  # as the mail server would get it: Date, Message-ID
        headers = [
            ("From", message.from_email),
            ("To", ", ".join(message.to)),
            ("Cc", ", ".join(message.cc)),
            ("Reply-To", ", ".join(message.reply_to)),
            ("Subject", message.subject),
            ("Date", sent["Date"]),
            ("Message-ID", sent["Message-ID"]),
        ]
        lines = [_rule("email"), *(f"{name}: {value}" for name, value in headers if value), ""]
        lines.append(message.body.rstrip("\n"))
        versions = [mimetype for _content, mimetype in getattr(message, "alternatives", [])]
        if versions:
            lines += ["", f"(Also sent as {', '.join(versions)}.)"]
        lines += [_rule("end of email"), ""]
        sys.stdout.flush()  # the log lines written so far come out before this block
        self.stream.write("\n".join(lines))
