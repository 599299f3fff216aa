"""Helpers for the browser tests: axe accessibility check, screenshots, console/CSP error log.

The fixtures in conftest.py hand these out; a test normally calls `visit_checks(step)`, which
saves a screenshot, runs axe and fails at once if the browser has logged an error so far.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import axe_playwright_python

# Where a person looks at what the browser saw; BROWSER_SHOTS_DIR moves it (e.g. a CI artefact).
SHOTS_DIR = Path(os.environ.get("BROWSER_SHOTS_DIR", "/tmp/shots"))  # noqa: S108

# The level the site promises (DESIGN.md: WCAG 2.1 AA).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = ("serious", "critical")

# Django's admin/css/forms.css starts with @import. axe's CSS preload (used by one rule,
# css-orientation-lock) rebuilds such a stylesheet in a <style> element, which the strict CSP
# refuses: a CSP error caused by the test tool, not by the page. On admin pages axe therefore
# preloads media only; the CSP check itself stays as strict as everywhere else.
ADMIN_PATH = re.compile(r"^/(?:[a-z]{2}(?:-[a-z]+)?/)?admin/")
ADMIN_AXE_PRELOAD = {"assets": ["media"]}

# Recorded in every page before its own scripts run (add_init_script is not subject to the
# page's CSP). Chromium also logs its own "Refused to ..." console error for a violation; this
# adds the directive and the source line, which tell where to look.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(
    "CSP violation: " + event.violatedDirective + " blocked " + (event.blockedURI || "inline") +
    " at " + (event.sourceFile || document.location.href) + ":" + event.lineNumber
  );
});
"""


@cache
def axe_source() -> str:
    """axe-core, shipped inside the axe-playwright-python package: no network needed."""
    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def axe_check(page, context: str = "") -> list[dict]:
    """Run axe-core (WCAG 2.0/2.1 A and AA) on the page; fail on serious or critical violations.

    axe is injected with page.evaluate (a DevTools evaluation, outside the page's CSP) rather
    than a <script> tag, which the CSP rightly refuses, or a bypass_csp context, which would
    hide the site's own CSP violations from the error log. On admin pages axe runs without its
    CSS preload (see ADMIN_AXE_PRELOAD). Returns every violation found.
    """
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    if ADMIN_PATH.match(urlsplit(page.url).path):
        options["preload"] = ADMIN_AXE_PRELOAD
    results = page.evaluate("(options) => axe.run(document, options)", options)
    violations = results["violations"]
    blocking = [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]
    if blocking:
        where = f"{context} ({page.url})" if context else page.url
        raise AssertionError(
            f"axe found {len(blocking)} serious/critical accessibility problem(s) on {where}:\n"
            + format_violations(blocking)
        )
    return violations


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} [{violation.get('impact')}]: {violation['help']}"
            f" ({violation.get('helpUrl', '')})"
        )
        for node in violation["nodes"][:10]:
            target = " ".join(str(part) for part in node.get("target", []))
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    at {target}: {summary[:300]}")
        if len(violation["nodes"]) > 10:
            lines.append(f"    … and {len(violation['nodes']) - 10} more")
    return "\n".join(lines)


def shot_path(test_name: str, step: str) -> Path:
    """<SHOTS_DIR>/<test>-<step>.png, with the parametrize id kept readable."""
    safe = re.sub(r"[^A-Za-z0-9_.]+", "-", f"{test_name}-{step}").strip("-")
    return SHOTS_DIR / f"{safe}.png"


def save_screenshot(page, test_name: str, step: str) -> Path:
    path = shot_path(test_name, step)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


@dataclass
class BrowserErrors:
    """Console errors and uncaught page errors (CSP violations included) of one test."""

    errors: list[str] = field(default_factory=list)
    allowed: list[re.Pattern] = field(default_factory=list)
    reported: int = 0  # errors[:reported] already failed a checkpoint

    def allow(self, pattern: str) -> None:
        """Expect an error on purpose, e.g. the console line of a deliberate 404."""
        self.allowed.append(re.compile(pattern))

    def record(self, kind: str, text: str, url: str = "") -> None:
        self.errors.append(f"{kind}: {text}" + (f" (on {url})" if url else ""))

    def unexpected(self, since: int = 0) -> list[str]:
        return [e for e in self.errors[since:] if not any(p.search(e) for p in self.allowed)]

    def assert_none(self, when: str = "") -> None:
        unexpected = self.unexpected(since=self.reported)
        self.reported = len(self.errors)
        if unexpected:
            raise AssertionError(
                f"The browser reported {len(unexpected)} error(s)"
                + (f" {when}" if when else "")
                + ":\n"
                + "\n".join(f"- {e}" for e in unexpected)
            )
