"""The review desk in a real browser (Debian's Chromium, headless): `highlights run` on the
sample replay, `highlights serve` over its output, then approve, reject, trim and retitle
clips through the page, reload, and check decisions.json, the static page from file:// and
what `apply_decisions` makes of the file; then correct a clip's caption text, re-run, and
find the correction burned into that clip's captions.  Screenshots go to
test-output/<test name>/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import serving
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from test_recap_browser import _viewport, browser, console_errors, open_page, screenshot, wait_for  # noqa: F401
from test_resume import captions_said

from highlights.cli import main
from highlights.decisions import REJECTED, apply_decisions, load_decisions
from highlights.files import read_json
from highlights.records import Highlight, Manifest, Transcript, from_dict
from highlights.serve import DeskServer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def out(tmp_path_factory, samples) -> Path:
    root = tmp_path_factory.mktemp("desk") / "out"
    _run(samples, root)
    return root


def _run(samples: Path, root: Path) -> None:
    # The sample's catalog.csv lies beside it; stream copy keeps the run short, and the
    # vertical format has captions burned in (its script: clip-NN-x.captions.ass).
    result = CliRunner().invoke(main, ["run", str(samples / "demo_replay.mp4"), "-o", str(root),
                                       "--languages", "en", "--clip-mode", "copy,vertical"], catch_exceptions=False)
    assert result.exit_code == 0, result.output


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


def _fixes(driver, clip_id: str) -> list[tuple[str, str, str]]:
    items = _card(driver, clip_id).find_elements(By.CSS_SELECTOR, ".desk-fixes li")
    return [(li.get_attribute("data-from"), li.get_attribute("data-to"), li.get_attribute("data-language"))
            for li in items]


def test_caption_text_corrected_through_the_desk_and_burned_at_the_next_run(browser, desk, out, samples,  # noqa: F811
                                                                            output_dir):
    folder = out / "demo-replay"
    manifest = from_dict(Manifest, read_json(folder / "manifest.json"))
    clip = manifest.clips[0]
    assert "tracks" in captions_said(folder / clip.captions)
    browser.get(desk.url + "demo-replay/recap.html")
    wait_for(browser, "return document.readyState === 'complete'")
    card = _card(browser, clip.id)
    said = card.find_element(By.CSS_SELECTOR, ".desk-caption-text").text
    assert "The Aurora watch tracks your steps" in said  # what the reviewer sees to correct

    def correct(words: str, new: str, language: str = "") -> None:
        card.find_element(By.CSS_SELECTOR, ".desk-fix-from").send_keys(words)
        card.find_element(By.CSS_SELECTOR, ".desk-fix-to").send_keys(new)
        Select(card.find_element(By.CSS_SELECTOR, ".desk-fix-language")).select_by_value(language)
        _click_and_wait(browser, clip.id, ".desk-fix-add")

    correct("tracks", "counts", "en")
    correct("Aurora watch", "Aurora Pro X")
    correct("battery", "power cell")
    assert _fixes(browser, clip.id) == [("tracks", "counts", "en"), ("Aurora watch", "Aurora Pro X", ""),
                                        ("battery", "power cell", "")]
    # Enter in the inputs corrects too (and does not save the title).
    card.find_element(By.CSS_SELECTOR, ".desk-fix-from").send_keys("  ")
    card.find_element(By.CSS_SELECTOR, ".desk-fix-to").send_keys("x\n")
    assert card.find_element(By.CSS_SELECTOR, ".desk-said").text == "Type (or select) the words the caption says."
    for field in card.find_elements(By.CSS_SELECTOR, ".desk-fix-from, .desk-fix-to"):
        field.clear()
    card.find_elements(By.CSS_SELECTOR, ".desk-fix-remove")[2].click()  # the battery one goes again
    wait_for(browser, "return arguments[0].querySelectorAll('.desk-fixes li').length === 2", card)
    wait_for(browser, "return arguments[0].querySelector('.desk-said').textContent === 'Saved.'", card)
    assert not card.find_element(By.CSS_SELECTOR, ".desk-fix-note").get_attribute("hidden")
    fixes = [{"from": "tracks", "to": "counts", "language": "en"}, {"from": "Aurora watch", "to": "Aurora Pro X"}]
    # (and Enter in them saved no title)
    assert json.loads((folder / "decisions.json").read_text(encoding="utf-8"))["clips"][clip.id] == {
        "status": "approved", "captions": fixes}
    assert console_errors(browser) == []
    _viewport(browser, 1280, 2600)
    clips_section = browser.find_element(By.CSS_SELECTOR, "article.clip").find_element(By.XPATH, "ancestor::section")
    clips_section.screenshot(str(output_dir / "desk-caption-corrections.png"))
    _viewport(browser, None)

    # A reload shows them, from decisions.json.
    browser.refresh()
    wait_for(browser, "return document.readyState === 'complete'")
    assert _fixes(browser, clip.id) == [("tracks", "counts", "en"), ("Aurora watch", "Aurora Pro X", "")]
    # Without the server the page on disk lists them, to be applied at the next run.
    open_page(browser, folder / "recap.html")
    listed = " ".join(_card(browser, clip.id).find_element(By.CSS_SELECTOR, ".fixes").get_attribute("textContent")
                      .split())
    assert "(applied at the next run)" in listed and "tracks → counts en" in listed, listed
    assert "Aurora watch → Aurora Pro X" in listed, listed

    # The next run burns them into this clip's captions and writes them in its subtitles.
    _run(samples, out)
    after = {c.id: c for c in from_dict(Manifest, read_json(folder / "manifest.json")).clips}[clip.id]
    burned = captions_said(folder / after.captions)
    assert "counts your steps" in burned and "The Aurora Pro X" in burned and "tracks" not in burned, burned
    subtitles = (folder / after.subtitles["en"].srt).read_text(encoding="utf-8")
    assert "counts" in subtitles and "Aurora Pro X" in subtitles and "tracks" not in subtitles
    browser.get(desk.url + "demo-replay/recap.html")
    wait_for(browser, "return document.readyState === 'complete'")
    card = _card(browser, clip.id)
    assert "The Aurora Pro X counts your steps" in card.find_element(By.CSS_SELECTOR, ".desk-caption-text").text
    assert card.find_element(By.CSS_SELECTOR, ".desk-fix-note").get_attribute("hidden")  # applied: nothing pending
    assert console_errors(browser) == []
