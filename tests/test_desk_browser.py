"""The review desk in a real browser (Debian's Chromium, headless): `highlights run` on the
sample replay, `highlights serve` over its output, then approve, reject, trim and retitle
clips through the page, reload, and check decisions.json, the static page from file:// and
what `apply_decisions` makes of the file.  Screenshots go to test-output/<test name>/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import serving
from selenium.webdriver.common.by import By
from test_recap_browser import browser, console_errors, open_page, screenshot, wait_for  # noqa: F401 - fixture

from highlights.cli import main
from highlights.decisions import REJECTED, apply_decisions, load_decisions
from highlights.files import read_json
from highlights.records import Highlight, Manifest, Transcript, from_dict
from highlights.serve import DeskServer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def out(tmp_path_factory, samples) -> Path:
    root = tmp_path_factory.mktemp("desk") / "out"
    # the sample's catalog.csv lies beside it; stream copy keeps the run short
    result = CliRunner().invoke(main, ["run", str(samples / "demo_replay.mp4"), "-o", str(root),
                                       "--languages", "en", "--clip-mode", "copy"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def desk(out):
    with serving(DeskServer(out, port=0, quiet=True)) as server:
        yield server


def _card(driver, clip_id: str):
    return driver.find_element(By.CSS_SELECTOR, f'article[data-clip="{clip_id}"]')


def _click_and_wait(driver, clip_id: str, selector: str) -> None:
    form = _card(driver, clip_id).find_element(By.CSS_SELECTOR, "form.desk")
    form.find_element(By.CSS_SELECTOR, selector).click()
    wait_for(driver, "return arguments[0].querySelector('.desk-said').textContent === 'Saved.'", form)


def _edges(driver, clip_id: str) -> tuple[float, float]:
    form = _card(driver, clip_id).find_element(By.CSS_SELECTOR, "form.desk")
    return float(form.get_attribute("data-start")), float(form.get_attribute("data-end"))


def test_approve_reject_and_trim_through_the_desk(browser, desk, out, output_dir):  # noqa: F811
    folder = out / "demo-replay"
    manifest = from_dict(Manifest, read_json(folder / "manifest.json"))
    first, second, third = (clip.id for clip in manifest.clips[:3])
    browser.get(desk.url + "demo-replay/recap.html")
    wait_for(browser, "return document.readyState === 'complete'")
    assert len(browser.find_elements(By.CSS_SELECTOR, "form.desk")) == len(manifest.clips)

    _click_and_wait(browser, first, 'button[data-status="approved"]')
    _click_and_wait(browser, second, 'button[data-status="rejected"]')
    assert _card(browser, second).find_element(By.CSS_SELECTOR, ".badge.status").text == "rejected"  # at once
    before = _edges(browser, third)
    _click_and_wait(browser, third, 'button[data-edge="start"][data-by="word"][data-step="1"]')
    _click_and_wait(browser, third, 'button[data-edge="end"][data-by="sentence"][data-step="-1"]')
    after = _edges(browser, third)
    assert after[0] > before[0] and after[1] < before[1] - 1.0, (before, after)
    title = _card(browser, third).find_element(By.CSS_SELECTOR, ".desk-title")
    title.clear()
    title.send_keys("Breeze fan — 19 USD <b>")
    _click_and_wait(browser, third, ".desk-save-title")
    screenshot(browser, output_dir / "desk-after-review.png")
    assert console_errors(browser) == []

    saved = json.loads((folder / "decisions.json").read_text(encoding="utf-8"))
    assert saved == {"clips": {first: {"status": "approved"}, second: {"status": "rejected"},
                               third: {"start": after[0], "end": after[1], "title": "Breeze fan — 19 USD <b>"}}}

    # A reload shows every decision: the badges, the pressed buttons, the new edges, the title.
    browser.refresh()
    wait_for(browser, "return document.readyState === 'complete'")
    assert _card(browser, first).find_element(By.CSS_SELECTOR, ".badge.status").text == "approved"
    assert _card(browser, second).find_element(By.CSS_SELECTOR, ".badge.status").text == "rejected"
    assert _card(browser, first).find_element(
        By.CSS_SELECTOR, 'button[data-status="approved"]').get_attribute("aria-pressed") == "true"
    assert _edges(browser, third) == after
    assert "New edges" in _card(browser, third).find_element(By.CSS_SELECTOR, ".trimmed").text
    assert _card(browser, third).find_element(By.CSS_SELECTOR, ".desk-title").get_attribute("value") == \
        "Breeze fan — 19 USD <b>"
    assert _card(browser, third).find_element(By.CSS_SELECTOR, ".clip-title").text == "Breeze fan — 19 USD <b>"

    # Rejecting again un-rejects: the entry goes from the file.
    _click_and_wait(browser, second, 'button[data-status="rejected"]')
    assert second not in load_decisions(folder).clips
    _click_and_wait(browser, second, 'button[data-status="rejected"]')

    # Without the server: the page on disk shows the decisions, and has no desk.
    open_page(browser, folder / "recap.html")
    assert _card(browser, first).find_element(By.CSS_SELECTOR, ".badge.status").text == "approved"
    assert _card(browser, second).find_element(By.CSS_SELECTOR, ".badge.status").text == "rejected"
    assert browser.find_elements(By.CSS_SELECTOR, "form.desk") == []
    assert desk.token not in (folder / "recap.html").read_text(encoding="utf-8")
    screenshot(browser, output_dir / "recap-from-disk-with-decisions.png")
    assert browser.execute_script("return window.__alerts") == []

    # What the next run does with the file: the rejected clip is gone, the trimmed one
    # keeps the desk's edges (they already lie between words), the others are untouched.
    words = from_dict(Transcript, read_json(folder / "transcript.json")).words
    plans = [(clip.id, Highlight(clip.start, clip.end, clip.products, clip.score)) for clip in manifest.clips]
    planned = {p.id: p for p in apply_decisions(plans, load_decisions(folder), words)}
    assert second not in planned and load_decisions(folder).status(second) == REJECTED
    assert (planned[third].highlight.start, planned[third].highlight.end) == after and planned[third].moved
    assert not planned[first].moved and planned[first].status == "approved"
