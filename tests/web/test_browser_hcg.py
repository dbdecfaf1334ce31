"""The hCG page shows exactly the library's plan (issue 19): browser tests in Debian's Chromium.

Each test here reproduced a defect of the page first (the calendar shaded days outside the month as
dose days, "Left in the vial" included the dead-space loss, a product preset did not change the
vial, an incomplete schedule was dropped silently), then was fixed. Expected values are hand
calculations written out in each test, or the library's own result for the same inputs (the page
is a view of that result and must show it unchanged).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from tests.web.test_browser import browser, live_app  # noqa: F401  (fixture: Chromium)

from playwright.sync_api import Browser, Page, expect  # isort: skip

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on a free loopback port; the trial explorer is not warmed (not needed here)."""
    from endolab.web import Settings

    with live_app(Settings(cache_dir=tmp_path_factory.mktemp("cache"), warm_trial=False)) as url:
        yield url


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()


@pytest.fixture
def page_nojs(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 1200, "height": 900}, java_script_enabled=False
    )
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()


def _marked(page: Page, kind: str) -> list[date]:
    """The dates of the calendar cells the page marks as ``kind`` (dose, mix, discard)."""
    titles = page.locator(f"td.{kind}").evaluate_all(
        "cells => cells.map(c => c.getAttribute('title') || '')"
    )
    return [date.fromisoformat(t[:10]) for t in titles]


def test_calendar_marks_exactly_the_plan_dates(page_nojs: Page, server: str) -> None:
    # Issue 19: the page showed 20 dose cells where the plan (and the .ics) has 16, with doses in
    # March after the plan ended. By hand: twice a week on Mon + Thu from Monday 2026-01-05 for
    # 8 weeks (days 0-55, to Sunday 2026-03-01) = 8 x 2 = 16 doses, Jan 5 ... Feb 26.
    page_nojs.goto(
        f"{server}/hcg?vial_iu=10000&diluent_ml=1.5&dose_iu=1000&syringe=u40-1.0&freq=2x-week"
        "&start=2026-01-05&weeks=8&discard_after_days=30&price_per_vial=80"
    )
    doses = _marked(page_nojs, "dose")
    mondays = [
        date(2026, 1, 5 + 7 * k) if k < 4 else date(2026, 2, 2 + 7 * (k - 4)) for k in range(8)
    ]
    thursdays = [date.fromordinal(d.toordinal() + 3) for d in mondays]
    assert sorted(doses) == sorted(mondays + thursdays)
    assert len(doses) == 16 and max(doses) == date(2026, 2, 26)
    # 1,000 IU per dose from a 10,000 IU vial = 10 doses per vial; discard 30 days after mixing:
    # vial 1 mixed Jan 5 (discard Feb 4) holds doses 1-9 (Jan 5 ... Feb 2: 9 doses before Feb 4),
    # vial 2 mixed Feb 5 (discard Mar 7) holds the other 7. Each discard date is marked once.
    discards = _marked(page_nojs, "discard")
    assert discards == [date(2026, 2, 4), date(2026, 3, 7)]
    assert _marked(page_nojs, "mix") == [date(2026, 1, 5), date(2026, 2, 5)]
    # every marked cell is a day of its own month (no shading of the blank cells around a month)
    blanks = page_nojs.locator("table.month td:not([data-date])")
    assert all(t.strip() == "" for t in blanks.all_inner_texts())
    assert blanks.evaluate_all("cells => cells.filter(c => c.className.trim() !== '').length") == 0


def test_calendar_matches_the_library_plan_for_pregnyl(page_nojs: Page, server: str) -> None:
    # Issue 19: "a Pregnyl plan shows 28 against 24 and one discard day twice".
    from endolab.hcg import mix, plan, resolve_frequency

    p = plan(
        mix(None, None, "1000", "u100-1.0", preset="pregnyl-us-10000"),
        resolve_frequency(None, None, None, "3x-week"),
        start="2026-01-05",
        weeks=8,
    )
    page_nojs.goto(
        f"{server}/hcg?preset=pregnyl-us-10000&dose_iu=1000&syringe=u100-1.0&freq=3x-week"
        "&start=2026-01-05&weeks=8"
    )
    assert _marked(page_nojs, "dose") == list(p.dose_dates)
    assert len(p.dose_dates) == 24  # 3 a week for 8 weeks
    assert _marked(page_nojs, "discard") == sorted(
        {v.discard_date for v in p.vials if v.discard_date is not None}
    )


def test_left_in_the_vial_is_the_leftover_not_the_dead_space(page_nojs: Page, server: str) -> None:
    # Issue 19: with 0.07 mL dead space the page said "2,250 IU (0.900 mL)" left in the vial.
    # By hand: 5,000 IU in 2 mL = 2,500 IU/mL; 250 IU = 0.1 mL; each draw also wastes 0.07 mL in
    # the syringe, so a draw takes 0.17 mL and floor(2 / 0.17) = 11 doses. Lost in the dead space
    # 11 x 0.07 mL x 2,500 IU/mL = 1,925 IU; left in the vial (2 - 11 x 0.17) mL = 0.13 mL = 325 IU.
    page_nojs.goto(f"{server}/hcg?vial_iu=5000&diluent_ml=2&dose_iu=250&dead_space_ml=0.07")
    facts = page_nojs.locator("table.facts")
    left = facts.locator("tr:has(th:has-text('Left in the vial')) td")
    expect(left).to_have_text("325.0 IU (0.130 mL)")
    expect(facts.locator("[data-field=dead_space_loss]")).to_have_text("1,925.0 IU (0.770 mL)")
    expect(facts.locator("[data-field=doses_per_vial]")).to_contain_text("11 doses")


def test_preset_fills_the_vial_with_javascript(page: Page, server: str) -> None:
    # Issue 19: choosing "Pregnyl (US) 10,000" left the prefilled 5,000 IU / 2 mL in the form and
    # computed for a 5,000 IU vial. With the preset, the vial is 10,000 IU and the label's 10 mL:
    # 1,000 IU/mL, so 250 IU is 0.25 mL = 25 units on a U-100 syringe.
    page.goto(f"{server}/hcg")
    page.locator("details summary").first.click()
    page.select_option("select[name=preset]", "pregnyl-us-10000")
    expect(page.locator("#vial_iu")).to_have_value("10000")
    expect(page.locator("#diluent_ml")).to_have_value("10")
    expect(page.locator("[data-field=concentration]")).to_have_text("1,000.0 IU/mL")
    assert "preset=pregnyl-us-10000" in page.url


def test_preset_conflict_is_refused_without_javascript(page_nojs: Page, server: str) -> None:
    # Without JavaScript the form sends the preset with the 5,000 IU typed in the vial field: the
    # library's refusal (code E_PRESET_CONFLICT), never a result for the wrong vial.
    page_nojs.goto(f"{server}/hcg?vial_iu=5000&diluent_ml=2&dose_iu=250&preset=pregnyl-us-10000")
    err = page_nojs.locator(".error")
    expect(err).to_have_attribute("data-code", "E_PRESET_CONFLICT")
    expect(err).to_contain_text("10,000")
    expect(page_nojs.locator("#draw")).to_have_count(0)


@pytest.mark.parametrize(
    ("query", "code", "field"),
    [
        ("freq=2x-week&weeks=8", "E_MISSING_INPUT", "start"),
        ("freq=2x-week&start=2026-01-05", "E_MISSING_INPUT", "weeks"),
        ("start=2026-01-05&weeks=8", "E_MISSING_INPUT", "freq"),
        ("freq=2x-week&start=2026-01-05&weeks=abc", "E_NOT_A_NUMBER", "weeks"),
        ("freq=2x-week&start=2026-01-05&weeks=8&price_per_vial=NaN", "E_NOT_A_NUMBER", None),
    ],
)
def test_incomplete_schedule_gets_the_message(
    page_nojs: Page, server: str, query: str, code: str, field: str | None
) -> None:
    # Issue 19: without a start date the schedule was dropped silently (and weeks=abc or
    # price_per_vial=NaN were accepted); the page says what is missing, as the CLI does, with the
    # library's own message for the same inputs.
    from endolab.errors import EndolabError
    from endolab.hcg import FIELD_LABELS, check_plan_inputs, mix, plan

    params = dict(kv.split("=") for kv in query.split("&"))
    with pytest.raises(EndolabError) as exc:
        frequency = check_plan_inputs(
            None,
            None,
            None,
            params.get("freq"),
            params.get("start"),
            params.get("weeks"),
            labels=FIELD_LABELS,
        )
        plan(
            mix("5000", "5", "250"),
            frequency,
            start=params["start"],
            weeks=params["weeks"],
            price_per_vial=params.get("price_per_vial"),
        )
    page_nojs.goto(f"{server}/hcg?vial_iu=5000&diluent_ml=5&dose_iu=250&{query}")
    err = page_nojs.locator(".error")
    expect(err).to_be_visible()
    assert err.get_attribute("data-code") == exc.value.code == code
    if field is not None:
        assert err.get_attribute("data-field") == exc.value.field == field
    assert " ".join(str(exc.value).split()) in err.inner_text()
    expect(page_nojs.locator("table.month")).to_have_count(0)
    expect(page_nojs.locator("#draw")).to_be_visible()  # the mix itself is still shown
