"""Translation with real (tiny, random-weight) Argos packages, built by the tests themselves,
installed through `highlights models install FILE` and run offline: installing, listing,
verifying, pivoting, caching, protecting names, and whole runs of `highlights run`."""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from tiny_argos import build_argosmodel

from highlights.cli import main
from highlights.config import Settings, SubtitleSettings, TranslationSettings
from highlights.lint import lint_cues
from highlights.records import Product, Segment, Transcript, Word
from highlights.subtitles import build_cues, timed_words
from highlights.translate import (BORROWED_TIME, PLACEHOLDER, Protected, TrackStats, Translator, find_route,
                                  installed_packages, names_pattern, packages_fingerprint, protect, settle,
                                  subtitle_tracks, timed_translation, translation_units)

ROOT = Path(__file__).resolve().parent.parent
PAIRS = [("en", "ru"), ("en", "pl"), ("ru", "en"), ("en", "es"), ("es", "en"), ("en", "uk")]


@pytest.fixture(scope="session")
def argosmodels(tmp_path_factory) -> dict[tuple[str, str], Path]:
    """One tiny .argosmodel file per pair, built once per session."""
    folder = tmp_path_factory.mktemp("argosmodels")
    return {(a, b): build_argosmodel(folder / f"translate-{a}_{b}.argosmodel", a, b) for a, b in PAIRS}


def install(packages: Path, *files: Path) -> None:
    for file in files:
        result = CliRunner().invoke(main, ["models", "install", str(file), "--packages-dir", str(packages)])
        assert result.exit_code == 0, result.output


def settings_for(packages: Path, cache: Path, languages: list[str]) -> Settings:
    return Settings(languages=languages,
                    translation=TranslationSettings(packages_dir=str(packages), cache_file=str(cache)))


def words_of(text: str, start: float = 0.0) -> list[Word]:
    """Words at a live host's pace: about 14 characters a second, half a second between sentences."""
    words, time = [], start
    for token in text.split():
        duration = 0.1 + len(token) * 0.055
        words.append(Word(round(time, 3), round(time + duration, 3), " " + token))
        time += duration + (0.5 if token[-1] in ".!?" else 0.08)
    return words


def transcript_of(language: str, text: str) -> Transcript:
    words = words_of(text)
    return Transcript(language, 1.0, words[-1].end + 1.0, "test",
                      [Segment(words[0].start, words[-1].end, text, words)])


PRODUCTS = [Product("aurora-watch", "Aurora smart watch", ["Aurora", "Aurora watch"], 49, "USD"),
            Product("lumo-lamp", "Lumo desk lamp", ["Lumo"], 29, "USD")]
RUSSIAN = ("Привет всем, сегодня у нас Aurora smart watch всего за $49. "
           "Часы Aurora watch работают неделю без подзарядки. "
           "Введите код AURORA10 на сайте https://shop.example/aurora, ссылка ниже. "
           "А лампа Lumo desk lamp стоит 29 долларов. Спасибо! Спасибо! ")


def test_install_list_verify_through_the_cli(tmp_path, argosmodels):
    packages = tmp_path / "packages"
    install(packages, argosmodels["en", "ru"], argosmodels["ru", "en"], argosmodels["en", "pl"])
    runner = CliRunner()
    listing = runner.invoke(main, ["models", "list", "--packages-dir", str(packages)])
    assert listing.exit_code == 0
    assert "en→ru  version 0.1" in listing.output and "ru→en" in listing.output
    rows = {line.split()[0]: line.split()[1:] for line in listing.output.splitlines() if line.startswith("  ")
            and len(line.split()) == 9}
    # Columns en ru es pt fr it pl uk: en→ru and en→pl direct, ru→pl through English.
    assert rows["en"][1] == "✓" and rows["en"][6] == "✓" and rows["ru"][0] == "✓" and rows["ru"][6] == "en"
    assert rows["ru"][2] == "-" and "4 of 56 pairs can be translated, 52 missing." in listing.output
    verify = runner.invoke(main, ["models", "verify", "--packages-dir", str(packages)])
    assert verify.exit_code == 0 and verify.output.count(": ok") == 3

    # A newer package of the same pair replaces the old one (and changes what a run's stored
    # subtitles are checked against).
    before = packages_fingerprint(TranslationSettings(packages_dir=str(packages)))
    newer = build_argosmodel(tmp_path / "newer.argosmodel", "en", "ru", seed=1, version="0.2")
    install(packages, newer)
    assert packages_fingerprint(TranslationSettings(packages_dir=str(packages))) != before
    assert [(p.pair, p.version) for p in installed_packages(packages) if p.pair == "en→ru"] == [("en→ru", "0.2")]
    assert len(list(packages.iterdir())) == 3

    # A damaged file is refused in one line and changes nothing.
    damaged = tmp_path / "damaged.argosmodel"
    damaged.write_bytes(newer.read_bytes()[: newer.stat().st_size // 2])
    notzip = tmp_path / "notes.argosmodel"
    notzip.write_text("not a model")
    empty = tmp_path / "empty.argosmodel"
    with zipfile.ZipFile(empty, "w") as bundle:
        bundle.writestr("something/readme.txt", "no metadata")
    for bad, message in ((damaged, "not an Argos package"), (notzip, "not an Argos package"),
                         (empty, "one folder with metadata.json"), (tmp_path / "missing.argosmodel", "no such file")):
        result = runner.invoke(main, ["models", "install", str(bad), "--packages-dir", str(packages)])
        assert result.exit_code == 1 and f"{bad}: " in result.output and message in result.output, result.output
        assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert sorted(p.pair for p in installed_packages(packages)) == ["en→pl", "en→ru", "ru→en"]

    # A package whose model is broken after installation fails verification.
    model = next(p.path for p in installed_packages(packages) if p.pair == "en→pl") / "model" / "model.bin"
    model.write_bytes(b"\0" * 1000)
    verify = runner.invoke(main, ["models", "verify", "--packages-dir", str(packages)])
    assert verify.exit_code == 1 and "en→pl: FAILED" in verify.output and "en→ru: ok" in verify.output
    usage = runner.invoke(main, ["models", "install", "en", "de", "--packages-dir", str(packages)])
    assert usage.exit_code == 2 and "unknown language code(s) de" in usage.output


def test_install_a_pair_from_the_package_index(tmp_path, argosmodels):
    """`models install FROM TO` through Argos's own index and download code, against a local
    HTTP server standing in for the Argos index."""
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(argosmodels["en", "uk"], site / "en_uk.argosmodel")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    (site / "index.json").write_text(json.dumps([{
        "package_version": "0.1", "argos_version": "1.9", "from_code": "en", "from_name": "English",
        "to_code": "uk", "to_name": "Ukrainian", "type": "translate", "links": [base + "en_uk.argosmodel"]}]))
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "XDG_CONFIG_HOME": str(tmp_path / "config")}
    packages = tmp_path / "packages"

    def cli(*args: str, index: str = base) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "highlights", "models", *args, "--packages-dir", str(packages)],
                              capture_output=True, text=True, env={**env, "ARGOS_PACKAGE_INDEX": index}, cwd=ROOT)

    try:
        result = cli("install", "en", "uk")
        assert result.returncode == 0, result.stderr
        assert "installed en→uk (version 0.1)" in result.stdout
        assert [p.pair for p in installed_packages(packages)] == ["en→uk"]
        result = cli("install", "en", "it")
        assert result.returncode == 1 and "the Argos index has no en→it package" in result.stderr
    finally:
        server.shutdown()
    shutil.rmtree(tmp_path / "data")  # no index saved from before: a true first use, offline
    result = cli("install", "en", "pl", index="http://127.0.0.1:9/")
    assert result.returncode == 1 and "could not download the Argos package index" in result.stderr
    assert "highlights models install FILE.argosmodel" in result.stderr and "Traceback" not in result.stderr


def test_names_codes_prices_and_urls_survive_a_garbage_model(tmp_path, argosmodels):
    """The tiny model emits nonsense (and drops or loops placeholders); what was protected
    comes out exactly as it went in, once, directly and through a pivot."""
    packages = tmp_path / "packages"
    install(packages, argosmodels["ru", "en"], argosmodels["en", "pl"], argosmodels["en", "ru"])
    transcript = transcript_of("ru", RUSSIAN)
    units = translation_units(transcript)
    texts = [u.text for u in units]
    names = [n for p in PRODUCTS for n in p.names]
    translator = Translator(TranslationSettings(cache_file=str(tmp_path / "cache.sqlite3")), names)
    protected_bits = ["Aurora smart watch", "$49", "Aurora watch", "AURORA10", "https://shop.example/aurora",
                      "Lumo desk lamp", "29"]
    for target in ("en", "pl"):
        route = find_route("ru", target, installed_packages(packages))
        assert [p.pair for p in route] == (["ru→en"] if target == "en" else ["ru→en", "en→pl"])
        out = translator.translate(texts, route)
        assert out != texts
        for bit in protected_bits:
            assert sum(o.count(bit) for o in out) == sum(t.count(bit) for t in texts), (target, bit, out)
        assert not any("XQ" in o.upper() for o in out)
    translator.close()


def test_placeholders_are_mended_whatever_the_model_does():
    protected = protect("Get the Aurora smart watch for $49 with code AURORA10 today.",
                        names_pattern(["Aurora smart watch", "Aurora"]))
    assert protected.text == "Get the XQ1 for XQ2 with code XQ3 today." and len(protected.originals) == 3
    expected = "Aurora smart watch", "$49", "AURORA10"
    for output in ("Купите XQ1 за XQ2 с кодом XQ3 сегодня.",  # perfect
                   "Купите xq1 за X Q2 с кодом ХQ3 сегодня.",  # case, a space, Cyrillic Х
                   "Купите XQ1 XQ1 XQ1 за XQ2 с кодом XQ3 сегодня.",  # a name repeated (argos-translate #367)
                   "Купите за с кодом сегодня.",  # every placeholder dropped
                   "XQ7 Купите XQ2 сегодня ♪♪",  # an invented one, and music notes (#299)
                   ""):
        result = settle(output, protected)
        for bit in expected:
            assert result.count(bit) == 1, (output, result)
        assert "XQ" not in result and "♪" not in result
    # A dropped placeholder goes back where it stood in the sentence, not to the end.
    words = settle("Купите за с кодом сегодня.", protected).split()
    assert words.index("$49") < words.index("AURORA10") < len(words) - 1
    # Loops are cut down.
    assert settle("цена цена цена цена prprprprpr", Protected("x")) == "цена pr"
    # Between two steps of a pivot the placeholders are mended, not yet replaced.
    assert settle("a xq1 b", protected, final=False) == "a XQ1 XQ2 XQ3 b"
    assert settle("a b c d e f XQ3", protected, final=False) == "a XQ1 b XQ2 c d e f XQ3"
    assert PLACEHOLDER.format(1) == "XQ1"


def test_each_sentence_is_translated_once_and_a_rerun_translates_nothing(tmp_path, argosmodels):
    packages = tmp_path / "packages"
    install(packages, argosmodels["ru", "en"], argosmodels["en", "pl"])
    texts = [u.text for u in translation_units(transcript_of("ru", RUSSIAN))]
    assert texts.count("Спасибо!") == 2  # said twice, translated once
    route = find_route("ru", "pl", installed_packages(packages))
    options = TranslationSettings(cache_file=str(tmp_path / "cache.sqlite3"), batch_size=2)

    def run(sentences: list[str]) -> tuple[list[str], TrackStats, list[int]]:
        translator = Translator(options, ["Aurora smart watch"])
        stats = TrackStats()
        out = translator.translate(sentences, route, stats)
        calls = [translator.model(p).sentences for p in route]  # sentences sent to each model
        translator.close()
        return out, stats, calls

    first, stats, calls = run(texts)
    distinct = len(set(texts))
    assert calls == [distinct, distinct] and stats.translated == 2 * distinct and stats.cached == 0
    again, stats, calls = run(texts)
    assert again == first and calls == [0, 0] and stats.translated == 0 and stats.hit_rate == 1.0
    more, stats, calls = run(texts + ["Новая фраза про лампу."])
    # Only the new sentence goes to the first model (and to the second, unless the first
    # made of it something it has already seen).
    assert more[:-1] == first and calls[0] == 1 and calls[1] <= 1 and stats.translated == sum(calls)

    # Another model for the same pair is another cache key: nothing stale comes back.
    install(packages, build_argosmodel(tmp_path / "other.argosmodel", "en", "pl", seed=7, version="0.1"))
    route = find_route("ru", "pl", installed_packages(packages))
    _, stats, calls = run(texts)
    assert calls == [0, distinct] and stats.cached == distinct


def test_tracks_pivot_report_missing_languages_and_pass_lint(tmp_path, argosmodels):
    packages = tmp_path / "packages"
    install(packages, argosmodels["ru", "en"], argosmodels["en", "pl"], argosmodels["en", "es"])
    transcript = transcript_of("ru", RUSSIAN)
    settings = settings_for(packages, tmp_path / "cache.sqlite3", ["ru", "en", "pl", "es", "uk"])
    tracks = subtitle_tracks(transcript, settings, PRODUCTS)
    assert list(tracks.words) == ["ru", "en", "pl", "es"]
    assert tracks.origins == {"ru": "transcript", "en": "argos ru→en", "pl": "argos ru→en→pl", "es": "argos ru→en→es"}
    assert list(tracks.missing) == ["uk"]
    assert "ru→uk" in tracks.missing["uk"] and "highlights models install ru uk" in tracks.missing["uk"]
    assert "FILE.argosmodel" in tracks.missing["uk"]
    sentences = translation_units(transcript)
    names = [n for p in PRODUCTS for n in p.names]
    for language, words in tracks.words.items():
        # The words keep their order, and each lies in the time of its sentence, the silence
        # after it or at most BORROWED_TIME into the next one.
        assert all(a.end <= b.start + 1e-6 for a, b in zip(words, words[1:])) and len(words) > len(sentences)
        windows = [(s.start, n.start + BORROWED_TIME) for s, n in zip(sentences, sentences[1:])]
        assert all(any(a - 1e-6 <= w.start <= w.end <= b + 1e-6 for a, b in windows + [(sentences[-1].start, 1e9)])
                   for w in words)
        for rules in (SubtitleSettings(), SubtitleSettings(max_lines=1)):
            cues = build_cues(words, rules, duration=transcript.duration, keep_together=names)
            assert cues and lint_cues(cues, rules) == [], language

    # A package that breaks costs its languages, not the run.
    model = next(p.path for p in installed_packages(packages) if p.pair == "en→es") / "model" / "model.bin"
    model.write_bytes(b"broken")
    settings.translation.cache_file = str(tmp_path / "fresh.sqlite3")
    tracks = subtitle_tracks(transcript, settings, PRODUCTS)
    assert "es" not in tracks.words and "highlights models verify" in tracks.missing["es"] and "pl" in tracks.words

    settings.translation.enabled = False
    tracks = subtitle_tracks(transcript, settings, PRODUCTS)
    assert list(tracks.words) == ["ru"] and set(tracks.missing) == {"en", "pl", "es", "uk"}


def test_long_run_on_sentences_are_cut_for_translation():
    text = " ".join(["and then the host keeps talking about the watch, the lamp and the fan"] * 12)
    units = translation_units(words_of(text))
    assert len(units) > 1 and all(len(u.words) <= 50 for u in units)
    assert " ".join(u.text for u in units).split() == text.split()


def lint_all(files: list[Path]) -> None:
    assert files
    result = CliRunner().invoke(main, ["lint-subs", *map(str, files)])
    assert result.exit_code == 0, result.output


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "highlights", *args], capture_output=True, text=True, cwd=ROOT)


@pytest.mark.slow
def test_run_on_the_sample_writes_translated_subtitles(tmp_path, argosmodels, samples):
    packages = tmp_path / "packages"
    install(packages, argosmodels["en", "ru"], argosmodels["en", "pl"])
    preset = tmp_path / "preset.toml"
    preset.write_text(f'[translation]\npackages_dir = "{packages}"\ncache_file = "{tmp_path / "cache.sqlite3"}"\n')
    out = tmp_path / "out"
    result = run_cli("run", str(samples), "-o", str(out), "--languages", "en,ru,pl,es", "--pipeline", str(preset))
    assert result.returncode == 0, result.stderr
    assert "no es subtitles" in result.stderr and "highlights models install en es" in result.stderr
    folder = out / "demo-replay"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert list(manifest["subtitles"]) == ["en", "ru", "pl"] and list(manifest["missing_languages"]) == ["es"]
    assert not list(folder.rglob("*.es.*"))
    assert "highlights models install en es" in (folder / "recap.html").read_text()
    files = []
    for clip in manifest["clips"]:
        assert list(clip["subtitles"]) == ["en", "ru", "pl"]
        # The clip's product name comes through the (garbage) translation untouched.
        name = next(p for p in manifest["products"] if p["id"] == clip["products"][0])
        for language in ("ru", "pl"):
            text = (folder / clip["subtitles"][language]["srt"]).read_text()
            assert any(n in text for n in [name["name"], *name["aliases"]]), (clip["id"], language)
        files += [folder / f for files in clip["subtitles"].values() for f in (files["srt"], files["vtt"])]
    files += [folder / f for files in manifest["subtitles"].values() for f in (files["srt"], files["vtt"])]
    files += list(folder.rglob("*.ass"))
    lint_all(files)


@pytest.mark.slow
def test_run_on_spanish_speech_pivots_through_english(tmp_path, argosmodels, media):
    packages = tmp_path / "packages"
    install(packages, argosmodels["es", "en"], argosmodels["en", "ru"], argosmodels["en", "pl"])
    preset = tmp_path / "preset.toml"
    preset.write_text(f'[translation]\npackages_dir = "{packages}"\ncache_file = "{tmp_path / "cache.sqlite3"}"\n')
    out = tmp_path / "out"
    speech = media / "speech" / "es" / "leopard_test_es.wav"
    args = ["run", str(speech), "-o", str(out), "--language", "es", "--languages", "es,en,ru,pl,uk",
            "--pipeline", str(preset)]
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    folder = out / "leopard-test-es"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert list(manifest["subtitles"]) == ["es", "en", "ru", "pl"]
    assert list(manifest["missing_languages"]) == ["uk"]
    assert "es→uk (nor es→en and en→uk)" in manifest["missing_languages"]["uk"]
    assert not list(folder.rglob("*.uk.*"))
    lint_all([f for f in (folder / "subtitles").iterdir() if f.suffix in (".srt", ".vtt", ".ass")])
    # Redoing the subtitles stage finds every sentence in the cache.
    again = run_cli(*args, "--force", "subtitles", "--debug")
    assert again.returncode == 0, again.stderr
    for language in ("en", "ru", "pl"):
        assert any(line.startswith(f"INFO {language} subtitles") and " 0 translated" in line
                   for line in again.stderr.splitlines()), again.stderr


@pytest.mark.slow
def test_whisper_makes_the_english_track_of_spanish_speech(tmp_path, media):
    speech = media / "speech" / "es" / "leopard_test_es.wav"  # "Las arenas son blanquecinas de grano medio..."
    transcript = transcript_of("es", "Las arenas son blanquecinas de grano medio y tiene muy poca asistencia.")
    settings = settings_for(tmp_path / "none", tmp_path / "cache.sqlite3", ["es", "en", "ru"])
    settings.translation.whisper_english = True
    tracks = subtitle_tracks(transcript, settings, media=speech)
    assert tracks.origins["en"] == "whisper translate" and list(tracks.missing) == ["ru"]
    english = "".join(w.text for w in tracks.words["en"]).lower()
    assert "sand" in english and "grain" in english
    cues = build_cues(tracks.words["en"], SubtitleSettings(), duration=8.7)
    assert cues and lint_cues(cues, SubtitleSettings()) == []
    # Without the audio, the English track comes from Argos, which has no package here.
    tracks = subtitle_tracks(transcript, settings, media=tmp_path / "missing.wav")
    assert "en" not in tracks.words and "es→en" in tracks.missing["en"]


def test_a_long_translation_borrows_time_from_a_short_neighbour():
    spoken = "The Lumo lamp has three light levels and a warm mode for reading. It folds. Thanks!"
    units = translation_units(words_of(spoken))
    texts = ["La lampe Lumo a trois niveaux de lumière bien différents et aussi un mode chaleureux et doux pour lire "
             "tard le soir au lit.",
             "Elle se plie.", "Merci !"]
    rules = SubtitleSettings(max_lines=1)
    words = timed_translation(units, texts, units[-1].end + 2.0)
    cues = build_cues(words, rules, language="fr")
    assert lint_cues(cues, rules) == []
    # French subtitles: a no-break space before "!" (highlights/typography.py).
    assert " ".join(" ".join(c.lines) for c in cues) == " ".join(texts).replace(" !", "\u00a0!")
    # The first sentence runs into the second one's time, by no more than BORROWED_TIME.
    first_end = max(w.end for w in words[:len(texts[0].split())])
    assert units[1].start < first_end <= units[1].start + BORROWED_TIME
    # Spread over its own sentence's time only, the same text reads too fast.
    squeezed = [w for unit, text in zip(units, texts) for w in timed_words(text, unit.words)]
    # (lint names it "fast speech" where the cues around it are as fast: judged from the cues alone)
    found = {v.rule for v in lint_cues(build_cues(squeezed, rules), rules)}
    assert found and found <= {"reading speed", "fast speech"}
