"""How an approver uses the Prefect UI (/v2), in Playwright terms: log in, open a case, answer its form."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect


def log_in(page: Page, ui: str, auth_string: str) -> None:
    """The UI asks for the server's API auth string once; the browser keeps it."""
    page.goto(f"{ui}/v2/")
    field = page.locator("input[type=password]")
    expect(field).to_be_visible()
    field.fill(auth_string)
    field.press("Enter")
    expect(page.locator("input[type=password]")).to_have_count(0)


def open_resume_dialog(page: Page, case_link: str, expecting: str | None = None) -> Locator:
    """The case's run page, then *Resume* from its menu: the dialog with the case and its form.

    With `expecting`, the page is opened again until the dialog shows that text: the form of a
    run that has just waited again is saved a moment after its state changes.
    """
    for attempt in range(4):
        page.goto(case_link)
        page.get_by_role("button", name="Open menu").first.click()
        page.get_by_role("menuitem", name="Resume").click()
        dialog = page.get_by_role("dialog")
        expect(dialog.get_by_role("button", name="Resume")).to_be_visible()
        expect(dialog.locator("textarea").first).to_be_visible()  # the case and its form have loaded
        if expecting is None:
            return dialog
        try:
            expect(dialog.get_by_text(expecting)).to_be_visible(timeout=3_000)
            return dialog
        except AssertionError:
            page.wait_for_timeout(1_000)
    expect(dialog.get_by_text(expecting)).to_be_visible()
    return dialog


def choose(page: Page, dialog: Locator, field: str, option: str) -> None:
    dialog.get_by_role("button", name=f"Select {field}").click()
    page.get_by_role("option", name=option, exact=True).click()
    expect(dialog.get_by_role("button", name=f"Select {field}")).to_contain_text(option)


def field(dialog: Locator, title: str) -> Locator:
    """The input labelled `title` (optional fields carry the UI's "(Optional)" after it)."""
    return dialog.get_by_label(re.compile(rf"^{re.escape(title)}( \(Optional\))?$"))


def submit(dialog: Locator) -> None:
    """Press *Resume*; the dialog closes once the server took the answer (a refusal keeps it open)."""
    button = dialog.get_by_role("button", name="Resume")
    expect(button).to_be_enabled()
    # Right after typing, the first click can land while the form re-renders and do nothing
    # (seen in headless Chromium); a person would press again, and so does this.
    for _ in range(3):
        button.click()
        try:
            expect(dialog).to_be_hidden(timeout=8_000)
            return
        except AssertionError:
            continue
    expect(dialog).to_be_hidden()


def visible_pixels(locator: Locator) -> tuple[float, float]:
    """(pixels of the element's height that show without scrolling, its full height), inside the
    viewport and every scrolling box around it."""
    return tuple(locator.evaluate("""(el) => {
        const r = el.getBoundingClientRect();
        let top = Math.max(r.top, 0), bottom = Math.min(r.bottom, window.innerHeight);
        for (let p = el.parentElement; p; p = p.parentElement) {
            const s = getComputedStyle(p);
            if (/(auto|scroll|hidden)/.test(s.overflowY)) {
                const b = p.getBoundingClientRect();
                top = Math.max(top, b.top); bottom = Math.min(bottom, b.bottom);
            }
        }
        return [Math.max(0, bottom - top), r.height];
    }"""))
