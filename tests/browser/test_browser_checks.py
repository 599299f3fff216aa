"""The browser checks themselves: a check that cannot fail protects nothing."""

import pytest

from tests.browser.support import axe_check

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_csp_violations_and_script_errors_are_caught(page, browser_errors):
    page.goto("/en/")
    # What a careless template change would do: inline script, inline style, a broken script.
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.inlineRan = true;";
            document.body.append(script);
            document.querySelector("h1").setAttribute("style", "color: red");
            setTimeout(() => { throw new Error("boom from the page"); }, 0);
        }"""
    )
    for _ in range(40):  # the reports arrive asynchronously
        errors = "\n".join(browser_errors.errors)
        if "style-src" in errors and "boom from the page" in errors:
            break
        page.wait_for_timeout(50)

    print(errors)
    assert page.evaluate("() => window.inlineRan") is None, "the CSP let an inline script run"
    assert "CSP violation: script-src" in errors
    assert "CSP violation: style-src" in errors
    assert "page error: " in errors and "boom from the page" in errors
    with pytest.raises(AssertionError, match="CSP violation"):
        browser_errors.assert_none()
    # Provoked on purpose: the `page` fixture must not fail this test at teardown.
    browser_errors.allow(r"CSP|Content Security Policy|boom from the page")


def test_axe_check_fails_on_serious_violations(page):
    page.goto("/en/")
    assert axe_check(page, context="home") is not None
    # An unlabelled field and a button without a name: both block screen-reader users.
    page.evaluate(
        """() => {
            const main = document.querySelector("main");
            main.append(document.createElement("input"));
            main.append(document.createElement("button"));
        }"""
    )
    with pytest.raises(AssertionError) as failure:
        axe_check(page, context="home with broken form")
    report = str(failure.value)
    assert "home with broken form" in report
    assert "label [critical]" in report and "button-name [critical]" in report
    # The target selectors, to find the elements (axe's shortest unique selector).
    assert "at input:" in report and "at #main > button:" in report
