"""The recap, index and review pages in a real browser: Debian's Chromium, headless, driven
through its WebDriver (chromium-driver), opening the pages straight from disk (file://).

One `highlights run` makes the pages for the whole module: the sample replay with a hostile
catalog beside it (product names that are HTML and a javascript: link; its aliases are words
really spoken, so the products are found and shown everywhere), the real video from
shared/media with a small catalog, and a broken input that fails.  Screenshots of what the
browser showed are saved under test-output/<test name>/."""

from __future__ import annotations

import json
import shutil
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner

from highlights.cli import main
from highlights.edits import REVIEWED, edit_state, read_edits
from highlights.review import read_cues
from highlights.xliff import XLIFF_NS

pytestmark = pytest.mark.slow

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--mute-audio", "--autoplay-policy=no-user-gesture-required", "--hide-scrollbars"]
HOSTILE_CATALOG = """id,name,aliases,price,currency,url,image
aurora-watch,<script>alert(1)</script>,Aurora smart watch|Aurora|<script>alert(1)</script>,49,USD,javascript:alert(2),
lumo-lamp,Lumo <img src=x onerror=alert(3)> lamp,Lumo desk lamp|Lumo,29,USD,https://shop.example/lumo,
breeze-fan,Breeze mini fan,Breeze|Breeze fan,19,USD,https://shop.example/breeze,
"""
# "banana" is said twice, 26 s apart: one presentation worth a clip, so the real video's
# recap has a clip player to check.
SMALL_CATALOG = """id,name,aliases,price,currency,url,image
example-video,Example video,example video,0,USD,https://example.org/video,
voice-pack,Voice pack,this voice,5,USD,,
banana,Banana,,1,USD,,
"""
# Our own page script, plus a hook that records what an injected alert() would have shown.
RECORD_ALERTS = "window.__alerts = []; window.alert = function (m) { window.__alerts.push(String(m)); };"


def _run(args: list[str]) -> str:
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    return result.output + f"\n(exit {result.exit_code})"


@pytest.fixture(scope="module")
def batch(tmp_path_factory, samples, media) -> Path:
    """OUT of one real `highlights run` over three inputs (see the module docstring)."""
    root = tmp_path_factory.mktemp("browser")
    inputs = root / "inputs"
    inputs.mkdir()
    # Links, so each video gets its own catalog beside it without copying media around.
    (inputs / "demo_replay.mp4").symlink_to(samples / "demo_replay.mp4")
    (inputs / "demo_replay.catalog.csv").write_text(HOSTILE_CATALOG, encoding="utf-8")
    # The live room's events beside it: the recap's timeline draws their activity.
    (inputs / "demo_replay.events.csv").symlink_to(Path(__file__).parent / "data" / "events" / "demo_replay.events.csv")
    (inputs / "auto_editor_example.mp4").symlink_to(media / "video" / "auto_editor_example.mp4")
    (inputs / "auto_editor_example.catalog.csv").write_text(SMALL_CATALOG, encoding="utf-8")
    (inputs / "broken.mp4").write_text("this is not a video\n", encoding="utf-8")
    out = root / "out"
    # Stream copy keeps the run short; the pages are the same for every clip mode.
    output = _run(["run", str(inputs), "-o", str(out), "--languages", "en", "--clip-mode", "copy"])
    assert "2 ok, 1 failed" in output, output
    return out


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, driver_exe = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not driver_exe:
        raise RuntimeError("the browser tests need Debian's chromium and chromium-driver: run ./scripts/system-deps.sh")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="highlights-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument("--window-size=1280,900")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_exe), options=options)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_ALERTS})
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


# --- helpers ------------------------------------------------------------------------------


def open_page(driver, page: Path) -> None:
    assert page.is_file(), page
    driver.get_log("browser")  # drop what earlier pages logged
    driver.set_window_size(1280, 900)
    driver.get(page.as_uri())
    wait_for(driver, "return document.readyState === 'complete'")


def wait_for(driver, script: str, *args, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while True:
        value = driver.execute_script(script, *args)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {script}")
        time.sleep(0.1)


def console_errors(driver) -> list[dict]:
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def screenshot(driver, target: Path, full: bool = True, phone: bool = False) -> Path:
    """Save what the browser shows: the whole page (or the window), as on a laptop (1280 px
    wide) or a phone (390 px, emulated: a desktop window cannot be that narrow)."""
    width = 390 if phone else 1280
    driver.execute_script("window.scrollTo(0, 0)")
    height = 844 if phone else 900
    if full:
        _viewport(driver, width, height)
        height = min(max(driver.execute_script("return document.documentElement.scrollHeight"), height), 8000)
    _viewport(driver, width, height)
    driver.save_screenshot(str(target))
    _viewport(driver, None)
    assert target.stat().st_size > 10_000
    return target


def _viewport(driver, width: int | None, height: int = 0) -> None:
    if width is None:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    else:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})
    time.sleep(0.3)


def local_resources_exist(driver) -> list[str]:
    """Every file the page links to or loads, as URLs; asserts each is a file beside the
    page or a data: URL (nothing from the internet but the catalog's own shop links)."""
    urls = driver.execute_script("""
        var out = [];
        document.querySelectorAll('[src], link[href]').forEach(function (el) { out.push(el.src || el.href); });
        document.querySelectorAll('a[href]').forEach(function (a) {
            if (!/^https?:/.test(a.getAttribute('href'))) out.push(a.href);
        });
        performance.getEntriesByType('resource').forEach(function (r) { out.push(r.name); });
        return out;""")
    for url in urls:
        parts = urlsplit(url)
        assert parts.scheme in ("file", "data"), url
        if parts.scheme == "file":
            path = Path(unquote(parts.path))
            assert path.exists(), f"broken link: {url}"
    return urls


def check_tracks(driver) -> dict[str, int]:
    """Choose every subtitle language in the page's switcher and wait until each <track> of
    that language has loaded its cues; returns the number of tracks checked per language."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    total = driver.execute_script("return document.querySelectorAll('track[kind=subtitles]').length")
    chooser = Select(driver.find_element(By.ID, "subtitle-language"))
    checked: dict[str, int] = {}
    for option in [o.get_attribute("value") for o in chooser.options if o.get_attribute("value")]:
        chooser.select_by_value(option)
        checked[option] = wait_for(driver, """
            var code = arguments[0];
            var tracks = Array.prototype.filter.call(document.querySelectorAll('track[kind=subtitles]'),
                function (t) { return t.srclang === code; });
            var ready = tracks.every(function (t) {
                return t.readyState === 2 && t.track.mode === 'showing' && t.track.cues && t.track.cues.length > 0; });
            return ready && tracks.length;""", option)
    assert sum(checked.values()) == total
    chooser.select_by_value("")
    assert driver.execute_script("""return Array.prototype.every.call(document.querySelectorAll('video'),
        function (v) {
            return Array.prototype.every.call(v.textTracks, function (t) {
                return t.kind === 'chapters' || t.mode === 'disabled'; }); })""")
    chooser.select_by_index(1)  # back on, for the screenshots (the choice is remembered)
    return checked


def show_caption_at(driver, seconds: float) -> str:
    """Put the paused player where a subtitle is on screen; returns that subtitle's text."""
    driver.execute_script("var p = document.getElementById('player'); p.pause(); p.currentTime = arguments[0];",
                          seconds)
    return wait_for(driver, """var p = document.getElementById('player');
        if (Math.abs(p.currentTime - arguments[0]) > 0.3) return null;
        var showing = Array.prototype.filter.call(p.textTracks, function (t) { return t.mode === 'showing'; });
        var cues = showing.length && showing[0].activeCues;
        if (!cues || !cues.length) return null;
        var cue = cues[cues.length - 1];
        return cue.startTime <= p.currentTime && p.currentTime <= cue.endTime ? cue.text : null;""", seconds)


def check_seeking(driver) -> None:
    """A transcript timestamp, a timeline mark and the keyboard all move the player."""
    from selenium.webdriver.common.by import By

    wait_for(driver, "var p = document.getElementById('player'); return p && p.readyState >= 1 && p.duration > 0")
    stamps = driver.find_elements(By.CSS_SELECTOR, "#segments button.ts")
    marks = driver.find_elements(By.CSS_SELECTOR, ".clip-mark")
    assert stamps
    seek_with(driver, stamps[-1])
    if marks:
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", marks[0])
        seek_with(driver, marks[0])
    seek_with(driver, stamps[0], keyboard=True)


def seek_with(driver, control, keyboard: bool = False) -> None:
    """Put the player somewhere else, then use `control` (a click, or Enter on it) and see the
    player arrive at the control's time."""
    from selenium.webdriver.common.keys import Keys

    wanted = float(control.get_attribute("data-t"))
    duration = driver.execute_script("return document.getElementById('player').duration")
    away = wanted + 4 if wanted + 4 < duration - 1 else max(wanted - 4, 0)
    driver.execute_script("var p = document.getElementById('player'); p.pause(); p.currentTime = arguments[0];", away)
    wait_for(driver, "return Math.abs(document.getElementById('player').currentTime - arguments[0]) < 0.3", away)
    if keyboard:
        driver.execute_script("arguments[0].focus()", control)
        control.send_keys(Keys.ENTER)
    else:
        control.click()
    wait_for(driver, "return Math.abs(document.getElementById('player').currentTime - arguments[0]) < 0.6", wanted)
    driver.execute_script("document.getElementById('player').pause()")


def check_phone_layout(driver, target: Path) -> None:
    _viewport(driver, 390, 844)
    assert driver.execute_script("return window.innerWidth") == 390
    overflow = driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"the page is {overflow}px wider than a phone screen"
    _viewport(driver, None)
    screenshot(driver, target, phone=True)


def nothing_injected(driver) -> None:
    scripts = driver.execute_script("""return Array.prototype.map.call(document.scripts,
        function (s) { return s.src + '|' + s.textContent.slice(0, 200); })""")
    assert len(scripts) <= 1 and all("alert(" not in s for s in scripts), scripts
    handlers = driver.execute_script("""
        var found = [];
        document.querySelectorAll('*').forEach(function (el) {
            Array.prototype.forEach.call(el.attributes, function (a) {
                if (/^on/i.test(a.name)) found.push(el.tagName + ' ' + a.name); });
            if (el.tagName === 'A' && /^\\s*javascript:/i.test(el.getAttribute('href') || ''))
                found.push('javascript: link');
            if (el.tagName === 'IMG' && !el.src.startsWith('file:')) found.push('img ' + el.src);
        });
        return found;""")
    assert handlers == []
    assert driver.execute_script("return window.__alerts") == []


# --- tests --------------------------------------------------------------------------------


def test_sample_recap_works_from_disk(browser, batch, output_dir):
    page = batch / "demo-replay" / "recap.html"
    open_page(browser, page)
    assert browser.title == "demo_replay · Replay recap"
    checked = check_tracks(browser)
    assert checked == {"en": 4}  # the replay and its three clips
    check_seeking(browser)
    local_resources_exist(browser)
    # The transcript search narrows the segments to those that say it.
    search = browser.find_element("id", "transcript-search")
    search.send_keys("Lumo")
    wait_for(browser, "return /of \\d+ segments contain/.test(document.getElementById('search-status').textContent)")
    shown = browser.execute_script("""return Array.prototype.filter.call(document.querySelectorAll('#segments li'),
        function (li) { return !li.hidden; }).map(function (li) { return li.textContent.toLowerCase(); })""")
    assert shown and all("lumo" in text for text in shown)
    search.clear()
    search.send_keys(" ")
    assert "Aurora" in show_caption_at(browser, 12.0)
    screenshot(browser, output_dir / "recap-sample-laptop.png")
    check_phone_layout(browser, output_dir / "recap-sample-phone.png")
    assert console_errors(browser) == []


def test_chapters_and_live_room_activity_on_the_recap(browser, batch, output_dir):
    """The player reads chapters.vtt into a chapter list that seeks and follows playback, and
    the timeline draws the live room's activity from the replay's events file."""
    from selenium.webdriver.common.by import By

    page = batch / "demo-replay" / "recap.html"
    open_page(browser, page)
    wait_for(browser, "return document.querySelectorAll('#chapters button.chapter').length >= 3")
    chapters = [b.text for b in browser.find_elements(By.CSS_SELECTOR, "#chapters button.chapter")]
    manifest = json.loads((batch / "demo-replay" / "manifest.json").read_text())
    names = {p["id"]: p["name"] for p in manifest["products"]}
    for clip in manifest["clips"]:
        assert names[clip["products"][0]] in chapters
    target = browser.find_elements(By.CSS_SELECTOR, "#chapters button.chapter")[1]
    wanted = float(target.get_attribute("data-t"))
    target.click()
    wait_for(browser, "return Math.abs(document.getElementById('player').currentTime - arguments[0]) < 0.5", wanted)
    wait_for(browser, "return document.querySelector('#chapters button[aria-current=true]') !== null")
    points = browser.find_element(By.CSS_SELECTOR, "svg.lane-activity polyline").get_attribute("points").split()
    assert len(points) >= 10 and manifest["activity"]
    peak = min(float(p.split(",")[1]) for p in points)  # y grows downwards: the busiest bin is highest
    assert peak == 2.0
    screenshot(browser, output_dir / "recap-chapters-activity.png")
    assert console_errors(browser) == []


def test_hostile_catalog_shows_as_text_and_runs_nothing(browser, batch, output_dir):
    from selenium.webdriver.common.by import By

    for page in (batch / "demo-replay" / "recap.html", batch / "index.html",
                 batch / "demo-replay" / "review" / "en.html"):
        open_page(browser, page)
        nothing_injected(browser)
        assert "<script>alert(1)</script>" in browser.find_element(By.TAG_NAME, "body").text
        assert console_errors(browser) == []
    open_page(browser, batch / "demo-replay" / "recap.html")
    names = [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, ".products-table td.product-name")]
    assert "<script>alert(1)</script>" in names and "Lumo <img src=x onerror=alert(3)> lamp" in names
    # Its javascript: URL did not become a link.
    cell = next(c for c in browser.find_elements(By.CSS_SELECTOR, ".products-table td.product-name")
                if c.text == "<script>alert(1)</script>")
    assert cell.find_elements(By.TAG_NAME, "a") == []
    assert "<script>alert(1)</script>" in browser.find_element(By.CSS_SELECTOR, "#clip-1 .products").text
    screenshot(browser, output_dir / "recap-hostile-catalog.png", full=False)


def test_real_video_recap_works_from_disk(browser, batch, output_dir):
    page = batch / "auto-editor-example" / "recap.html"
    open_page(browser, page)
    clips = browser.execute_script("return document.querySelectorAll('.clip').length")
    assert clips >= 1
    checked = check_tracks(browser)
    assert checked["en"] == 1 + clips
    check_seeking(browser)
    local_resources_exist(browser)
    # Each clip's own player plays its file (how many clips there are is the selection's business).
    for index in range(clips):
        wait_for(browser, """var v = document.querySelectorAll('.clip video')[arguments[0]];
                             v.preload = 'metadata'; v.load(); return true""", index)
        wait_for(browser, """var v = document.querySelectorAll('.clip video')[arguments[0]];
                             return v.readyState >= 1 && v.duration > 1""", index)
    assert "example video" in show_caption_at(browser, 3.0)
    screenshot(browser, output_dir / "recap-real-video-laptop.png")
    check_phone_layout(browser, output_dir / "recap-real-video-phone.png")
    assert console_errors(browser) == []
    # Its review page too: the subtitles against what was heard, the player with their track.
    open_page(browser, page.parent / "review" / "en.html")
    local_resources_exist(browser)
    wait_for(browser, """var t = document.querySelector('track');
        return t && t.readyState === 2 && t.track.cues.length > 0""")
    from selenium.webdriver.common.by import By

    seek_with(browser, browser.find_elements(By.CSS_SELECTOR, "tr.cue button.ts")[-1])
    screenshot(browser, output_dir / "review-real-video.png")
    assert console_errors(browser) == []


def test_spliced_clip_plays_through_in_the_browser(browser, samples, tmp_path):
    """An exact clip by smart cut (its edges re-encoded under parameter sets of their own, the
    middle copied; see test_splice.py): Chromium must play it from start to end, every frame
    counted, no media error."""
    import av

    from highlights.clips import cut_clip
    from highlights.config import ClipSettings
    from highlights.probe import probe
    from highlights.splice import parse_avcc

    source = samples / "demo_replay.mp4"
    clip = tmp_path / "clip.mp4"
    cut = cut_clip(source, probe(source), 12.34, 27.5, clip, ClipSettings())
    with av.open(str(clip)) as container:
        video = container.streams.video[0]
        _, sps, _ = parse_avcc(bytes(video.codec_context.extradata))
        frames = video.frames
    assert cut.reencoded and len(sps) == 3  # the source's and each edge's
    page = tmp_path / "play.html"
    page.write_text('<!doctype html><video id="v" muted playsinline src="clip.mp4"></video>', encoding="utf-8")
    open_page(browser, page)
    browser.execute_script("""var v = document.getElementById('v'); v.playbackRate = 4;
        v.addEventListener('ended', function () { v.dataset.ended = '1'; }); v.play();""")
    wait_for(browser, "var v = document.getElementById('v'); return v.dataset.ended === '1' || v.error !== null",
             timeout=60)
    error, total = browser.execute_script("""var v = document.getElementById('v');
        return [v.error && v.error.message, v.getVideoPlaybackQuality().totalVideoFrames]""")
    assert error is None
    assert total >= 0.95 * frames, (total, frames)


def test_index_links_every_replay_and_says_why_one_failed(browser, batch, output_dir):
    from selenium.webdriver.common.by import By

    open_page(browser, batch / "index.html")
    local_resources_exist(browser)
    ready = browser.find_elements(By.CSS_SELECTOR, ".entry.ok")
    failed = browser.find_elements(By.CSS_SELECTOR, ".entry.failed")
    assert (len(ready), len(failed)) == (2, 1)
    assert "broken.mp4: not a video or audio file" in failed[0].text
    recaps = sorted(Path(unquote(urlsplit(a.get_attribute("href")).path)).parent.name
                    for a in browser.find_elements(By.CSS_SELECTOR, ".entry.ok a.open"))
    assert recaps == ["auto-editor-example", "demo-replay"]
    assert browser.execute_script("""return Array.prototype.every.call(document.querySelectorAll('img.thumb'),
        function (img) { return img.complete && img.naturalWidth > 0; })""")
    screenshot(browser, output_dir / "index-laptop.png")
    check_phone_layout(browser, output_dir / "index-phone.png")
    # The link opens the recap.
    browser.find_element(By.CSS_SELECTOR, ".entry.ok a.open").click()
    wait_for(browser, "return document.readyState === 'complete' && /recap\\.html$/.test(location.pathname)")
    assert console_errors(browser) == []


def test_review_round_trip_survives_a_rerun_and_shows_in_the_pages(browser, batch, output_dir, tmp_path):
    from selenium.webdriver.common.by import By

    open_page(browser, batch / "demo-replay" / "review" / "en.html")
    wait_for(browser, """var t = document.querySelector('track');
        return t && t.readyState === 2 && t.track.cues.length > 0""")
    rows = browser.find_elements(By.CSS_SELECTOR, "tr.cue")
    wait_for(browser, "var p = document.getElementById('player'); return p.readyState >= 1 && p.duration > 0")
    seek_with(browser, rows[3].find_element(By.CSS_SELECTOR, "button.ts"))
    local_resources_exist(browser)
    screenshot(browser, output_dir / "review-before.png")
    assert console_errors(browser) == []

    # A copy of the batch, so the other tests' pages stay as the first run made them.
    out = tmp_path / "out"
    shutil.copytree(batch, out, symlinks=True)
    replay = out / "demo-replay"
    inputs = batch.parent / "inputs"

    # The translator's round trip: export, correct one subtitle in the clip, import.
    assert "(exit 0)" in _run(["review", "export", str(replay), "--language", "en"])
    xlf = replay / "review" / "demo-replay.en.xlf"
    ET.register_namespace("", XLIFF_NS)
    tree = ET.parse(xlf)
    ns = {"x": XLIFF_NS}
    clip_file = next(f for f in tree.getroot().findall("x:file", ns) if "clip-01" in f.get("original"))
    unit = next(u for u in clip_file.iter(f"{{{XLIFF_NS}}}trans-unit")
                if "Aurora" in (u.find("x:target", ns).text or ""))
    corrected = "Let's start with the Aurora smart watch, our bestseller."
    unit.find("x:target", ns).text = corrected
    tree.write(xlf, encoding="utf-8", xml_declaration=True)
    imported = _run(["review", "import", str(replay), str(xlf), "--by", "Translator Anna"])
    assert "(exit 0)" in imported and "clip-01-aurora-watch" in imported, imported
    srt = replay / clip_file.get("original")
    assert edit_state(srt).state == REVIEWED

    # Run the pipeline again over the same inputs into the same OUT: the correction stays.
    rerun = _run(["run", str(inputs), "-o", str(out), "--languages", "en", "--clip-mode", "copy"])
    assert "2 ok, 1 failed" in rerun, rerun
    assert any(" ".join(c.lines) == corrected for c in read_cues(srt))
    assert edit_state(srt).state == REVIEWED

    # The recap plays the corrected words, in the clip's track.
    open_page(browser, replay / "recap.html")
    check_tracks(browser)
    from selenium.webdriver.support.ui import Select

    Select(browser.find_element(By.ID, "subtitle-language")).select_by_value("en")
    texts = wait_for(browser, """var t = document.querySelector('#clip-1 track');
        if (!t || t.readyState !== 2) return null;
        return Array.prototype.map.call(t.track.cues, function (c) { return c.text.replace(/\\n/g, ' '); });""")
    assert corrected in texts
    badge = browser.find_element(By.CSS_SELECTOR, "#clip-1 .badge.edited")
    assert badge.text == "reviewed" and "Translator Anna" in badge.get_attribute("title")
    assert console_errors(browser) == []

    # The review page shows it reviewed, with the change in its history.
    open_page(browser, replay / "review" / "en.html")
    history = browser.find_element(By.CSS_SELECTOR, ".history").text
    assert corrected in history and "Translator Anna" in history
    assert "Reviewed by Translator Anna" in browser.find_elements(By.CSS_SELECTOR, ".doc")[1].text
    whole = next(e for e in read_edits(replay) if e.file.startswith("subtitles/"))
    assert corrected in show_caption_at(browser, whole.start + 0.3).replace("\n", " ")
    only = browser.find_element(By.ID, "only-warnings")
    only.click()
    visible = browser.execute_script("""return Array.prototype.filter.call(document.querySelectorAll('tr.cue'),
        function (r) { return !r.hidden; }).every(function (r) { return r.classList.contains('has-warnings'); })""")
    assert visible
    only.click()
    screenshot(browser, output_dir / "review-after.png")
    check_phone_layout(browser, output_dir / "review-phone.png")
    assert console_errors(browser) == []
