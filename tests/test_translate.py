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
from highlights.translation.argos import installed_packages
from highlights.translation.engines import ArgosEngine
from highlights.translation.protect import PLACEHOLDER, Protected, names_pattern, protect, settle
from highlights.translation.routes import plan_route
from highlights.translation.timing import BORROWED_TIME, timed_translation, translation_units
from highlights.translation.tracks import TrackStats, Translator, subtitle_tracks, translation_fingerprint

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


def settings_for(packages: Path, cache: Path, languages: list[str], engines: tuple[str, ...] = ("argos",)
                 ) -> Settings:
    return Settings(languages=languages,
                    translation=TranslationSettings(packages_dir=str(packages), cache_file=str(cache),
                                                    engines=list(engines)))


def argos_route(packages: Path, source: str, target: str):
    """The best route through the Argos packages in `packages` alone (a fresh engine: it
    counts the sentences it sends to each model)."""
    return plan_route(source, target, [ArgosEngine(TranslationSettings(packages_dir=str(packages)))])


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
    listing = runner.invoke(main, ["models", "list", "--packages-dir", str(packages), "--engines", "argos"])
    assert listing.exit_code == 0, listing.output
    assert "en→ru  version 0.1" in listing.output and "ru→en" in listing.output
    rows = {line.split()[0]: line.split()[1:] for line in listing.output.splitlines() if line.startswith("  ")
            and len(line.split()) == 9}
    # Columns en ru es pt fr it pl uk: en→ru and en→pl direct, ru→pl through English.
    assert rows["en"][1] == "A" and rows["en"][6] == "A" and rows["ru"][0] == "A" and rows["ru"][6] == "A2"
    assert rows["ru"][2] == "-" and "4 of 56 pairs can be translated, 52 missing." in listing.output
    assert "  ru→pl: argos ru→en→pl" in listing.output
    assert "  ru→es: missing: no translation model for ru→es (nor ru→en and en→es)" in listing.output
    bad = runner.invoke(main, ["models", "list", "--engines", "argos,deepl"])
    assert bad.exit_code == 2 and "unknown engine(s) 'deepl'" in bad.output
    verify = runner.invoke(main, ["models", "verify", "--packages-dir", str(packages), "--no-apertium"])
    assert verify.exit_code == 0 and verify.output.count(": ok") == 3

    # A newer package of the same pair replaces the old one (and changes what a run's stored
    # subtitles are checked against).
    before = translation_fingerprint(TranslationSettings(packages_dir=str(packages)))
    newer = build_argosmodel(tmp_path / "newer.argosmodel", "en", "ru", seed=1, version="0.2")
    install(packages, newer)
    assert translation_fingerprint(TranslationSettings(packages_dir=str(packages))) != before
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
    verify = runner.invoke(main, ["models", "verify", "--packages-dir", str(packages), "--no-apertium"])
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
        route = argos_route(packages, "ru", target)
        assert route.label == ("argos ru→en" if target == "en" else "argos ru→en→pl")
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
    options = TranslationSettings(cache_file=str(tmp_path / "cache.sqlite3"), batch_size=2)

    def run(sentences: list[str]) -> tuple[list[str], TrackStats, list[int]]:
        route = argos_route(packages, "ru", "pl")
        translator = Translator(options, ["Aurora smart watch"])
        stats = TrackStats()
        out = translator.translate(sentences, route, stats)
        # sentences sent to each model
        calls = [h.engine.model(h.engine.package(h.source, h.target)).sentences for h in route.hops]
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
    preset.write_text(f'[translation]\npackages_dir = "{packages}"\ncache_file = "{tmp_path / "cache.sqlite3"}"\n'
                      'engines = ["argos"]\n')  # Argos alone: es has no route, as without Apertium
    out = tmp_path / "out"
    result = run_cli("run", str(samples), "-o", str(out), "--languages", "en,ru,pl,es", "--pipeline", str(preset))
    assert result.returncode == 0, result.stderr
    assert "no es subtitles" in result.stderr and "highlights models install en es" in result.stderr
    folder = out / "demo-replay"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert list(manifest["subtitles"]) == ["en", "ru", "pl"] and list(manifest["missing_languages"]) == ["es"]
    assert "Apertium is not in [translation] engines" in manifest["missing_languages"]["es"]
    russian = manifest["subtitles"]["ru"]
    assert (russian["engine"], russian["route"], russian["machine_translated"], russian["unknown_word_rate"]) == \
        ("argos", "argos en→ru", True, None)  # Argos cannot tell which words it did not know
    assert "NOTE Machine translation, not reviewed: neural machine translation (Argos Translate), route argos en→ru" \
        in (folder / russian["vtt"]).read_text()
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
    settings = settings_for(tmp_path / "none", tmp_path / "cache.sqlite3", ["es", "en", "ru"], ("argos",))
    settings.translation.whisper_english = True
    tracks = subtitle_tracks(transcript, settings, media=speech)
    assert tracks.origins["en"] == "whisper es→en" and list(tracks.missing) == ["ru"]
    assert tracks.labels["en"].engine == "whisper" and "speech translation (Whisper" in tracks.labels["en"].notice
    english = "".join(w.text for w in tracks.words["en"]).lower()
    assert "sand" in english and "grain" in english
    cues = build_cues(tracks.words["en"], SubtitleSettings(), duration=8.7)
    assert cues and lint_cues(cues, SubtitleSettings()) == []
    # Without the audio, the English track comes from the next route: Argos has no package
    # here, so it is missing with both reasons; with Apertium, Apertium makes it.
    tracks = subtitle_tracks(transcript, settings, media=tmp_path / "missing.wav")
    assert "en" not in tracks.words and "whisper es→en failed" in tracks.missing["en"]
    assert "missing.wav: no such file" in tracks.missing["en"]
    settings.translation.engines = ["argos", "apertium"]
    tracks = subtitle_tracks(transcript, settings, media=tmp_path / "missing.wav")
    assert tracks.origins["en"] == "apertium es→en" and "sand" in "".join(w.text for w in tracks.words["en"])


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


# --- Apertium (Debian's packages, installed by scripts/system-deps.sh) ---------------------

ENGLISH = ["Get the Aurora smart watch for $49 with code AURORA10 today.",
           "The Lumo desk lamp has three light levels and a warm mode for reading.",
           "Visit https://shop.example/aurora for the flibbertigibbet colours.",
           "Thanks!", "Thanks!"]
ENGLISH_BITS = ["Aurora smart watch", "$49", "AURORA10", "Lumo desk lamp", "https://shop.example/aurora"]


def apertium_engine(folder: str = ""):
    from highlights.translation.engines import ApertiumEngine

    return ApertiumEngine(TranslationSettings(apertium_dir=folder))


def logged_apertium(tmp_path: Path, monkeypatch) -> Path:
    """`apertium` on the PATH as a script that notes each call, then runs the real one."""
    real = shutil.which("apertium")
    assert real, "apertium is not installed: run scripts/system-deps.sh"
    folder = tmp_path / "bin"
    folder.mkdir()
    log = tmp_path / "calls.log"
    (folder / "apertium").write_text(f'#!/bin/sh\necho "$@" >> {log}\nexec {real} "$@"\n')
    (folder / "apertium").chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return log


def test_apertium_modes_map_to_our_codes(tmp_path):
    engine = apertium_engine()
    pairs = engine.pairs()
    assert {("en", "es"), ("es", "en"), ("es", "pt"), ("fr", "es"), ("es", "it"), ("ru", "uk"), ("uk", "ru"),
            ("en", "cat"), ("cat", "it")} <= pairs
    assert not any("pl" in pair for pair in pairs)
    assert engine.mode("en", "es").name == "eng-spa" and engine.mode("es", "pt").name == "es-pt"
    # rus-ukr's tagger crashes as shipped: the constraint grammar chooses instead.
    line = __import__("highlights.translation.apertium", fromlist=["x"]).command_line(engine.mode("ru", "uk"))
    assert "apertium-tagger" not in line and "cg-proc -1 -n" in line
    verify = CliRunner().invoke(main, ["models", "verify", "--packages-dir", str(tmp_path / "none")])
    assert verify.exit_code == 0, verify.output
    assert "apertium rus-ukr (ru→uk): ok" in verify.output and "apertium eng-spa (en→es): ok" in verify.output
    # The run's subtitles are kept under a key that changes with the modes installed.
    folder = tmp_path / "apertium"
    shutil.copytree("/usr/share/apertium/modes", folder / "modes")
    settings = TranslationSettings(apertium_dir=str(folder), packages_dir=str(tmp_path / "none"))
    before = translation_fingerprint(settings)
    assert before[1][0] == "apertium" and before[1][1][0].startswith("Apertium ")
    (folder / "modes" / "es-pt.mode").unlink()
    after = translation_fingerprint(settings)
    assert after != before and ("es", "pt") not in apertium_engine(str(folder)).pairs()
    (folder / "modes" / "eng-spa.mode").write_text((folder / "modes" / "eng-spa.mode").read_text() + " ")
    assert translation_fingerprint(settings) != after
    settings.engines = ["argos"]
    assert translation_fingerprint(settings) == [["argos", []]]


def test_apertium_direct_and_pivot_keep_names_and_count_unknown_words(tmp_path, monkeypatch):
    calls = logged_apertium(tmp_path, monkeypatch)
    engines = [apertium_engine()]
    names = [n for p in PRODUCTS for n in p.names]
    options = TranslationSettings(cache_file=str(tmp_path / "cache.sqlite3"))
    results = {}
    for target, label in (("es", "apertium en→es"), ("pt", "apertium en→es→pt"), ("it", "apertium en→es→it")):
        route = plan_route("en", target, engines)
        assert route.label == label and route.engine == "apertium"
        translator = Translator(options, names)
        stats = TrackStats()
        out = translator.translate(ENGLISH, route, stats)
        translator.close()
        results[target] = out, stats
        for bit in ENGLISH_BITS:
            assert sum(o.count(bit) for o in out) == sum(t.count(bit) for t in ENGLISH), (target, bit, out)
        assert not any(mark in o for o in out for mark in "*#@") and not any("XQ" in o for o in out)
        assert all(o.strip() for o in out) and out[3] == out[4]
        # "flibbertigibbet" is no word; the placeholders are not counted.
        assert 1 <= stats.unknown <= 3 and 0 < stats.unknown_rate < 0.2 and stats.words >= 20
    print({target: out for target, (out, _) in results.items()})
    assert "hoy" in results["es"][0][0] and "tres" in results["es"][0][1] and "Gracias" in results["es"][0][3]
    assert "hoje" in results["pt"][0][0] and "oggi" in results["it"][0][0]
    # One process per hop for the whole track, never one per sentence: es, then es and pt
    # (es→pt's first hop came from the cache), then it.
    modes = [line.split()[-1] for line in calls.read_text().splitlines()]
    assert modes == ["eng-spa", "es-pt", "spa-ita"]
    # A re-run translates nothing and reports the same rate.
    translator = Translator(options, names)
    stats = TrackStats()
    assert translator.translate(ENGLISH, plan_route("en", "pt", engines), stats) == results["pt"][0]
    translator.close()
    assert stats.translated == 0 and stats.unknown_rate == results["pt"][1].unknown_rate
    assert len(calls.read_text().splitlines()) == 3


def test_apertium_russian_and_ukrainian_both_ways(tmp_path):
    engines = [apertium_engine()]
    translator = Translator(TranslationSettings(cache_file=str(tmp_path / "cache.sqlite3")),
                            [n for p in PRODUCTS for n in p.names])
    texts = [u.text for u in translation_units(transcript_of("ru", RUSSIAN))]
    ukrainian = translator.translate(texts, plan_route("ru", "uk", engines))
    assert all(u.strip() for u in ukrainian) and any(ch in "".join(ukrainian) for ch in "іїє")
    assert "Aurora smart watch" in ukrainian[0] and "AURORA10" in ukrainian[2] and "Lumo desk lamp" in ukrainian[3]
    back = translator.translate(["Привіт всім, сьогодні годинник працює без підзарядки тиждень."],
                                plan_route("uk", "ru", engines))
    translator.close()
    assert back[0].startswith("Привет всем") and "сегодня" in back[0]


def test_a_broken_mode_is_caught_and_the_pair_reported(tmp_path):
    """A mode whose output loses a line (here: one that drops the first) is refused with the
    mode's name, and the track goes to the next route or is reported missing."""
    folder = tmp_path / "apertium"
    (folder / "modes").mkdir(parents=True)
    (folder / "modes" / "eng-spa.mode").write_text("sed 1d\n")
    settings = settings_for(tmp_path / "none", tmp_path / "cache.sqlite3", ["en", "es", "pl"], ("argos", "apertium"))
    settings.translation.apertium_dir = str(folder)
    transcript = transcript_of("en", " ".join(ENGLISH))
    tracks = subtitle_tracks(transcript, settings, PRODUCTS)
    assert list(tracks.words) == ["en"] and set(tracks.missing) == {"es", "pl"}
    assert "apertium en→es failed" in tracks.missing["es"] and "lines came back" in tracks.missing["es"]
    assert "no installed Apertium pair takes en to pl" in tracks.missing["pl"]
    assert "highlights models install en pl" in tracks.missing["pl"]


def test_routes_across_engines_and_the_matrix(tmp_path, argosmodels):
    packages = tmp_path / "packages"
    install(packages, argosmodels["ru", "en"], argosmodels["en", "ru"])
    listing = CliRunner().invoke(main, ["models", "list", "--packages-dir", str(packages)])
    assert listing.exit_code == 0, listing.output
    rows = {line.split()[0]: line.split()[1:] for line in listing.output.splitlines() if line.startswith("  ")
            and len(line.split()) == 9}
    # Columns en ru es pt fr it pl uk.
    assert rows["en"] == ["·", "A", "P", "P2", "P2", "P2", "-", "A+P"]
    assert rows["ru"][:3] == ["A", "·", "A+P"] and rows["ru"][7] == "P" and rows["pl"] == ["-"] * 6 + ["·", "-"]
    assert rows["uk"][:2] == ["P+A", "P"]
    assert "  en→uk: argos en→ru, apertium ru→uk" in listing.output
    assert "  uk→en: apertium uk→ru, argos ru→en" in listing.output
    assert "  ru→es: argos ru→en, apertium en→es" in listing.output
    assert "  en→pt: apertium en→es→pt" in listing.output and "  uk→ru: apertium uk→ru" in listing.output
    assert "  pl→en: missing: no translation model for pl→en is installed" in listing.output
    assert "Whisper's translation into English is off" in listing.output
    # Argos first: ru→en by Argos even though Apertium is installed; Apertium first when asked.
    whisper = CliRunner().invoke(main, ["models", "list", "--packages-dir", str(packages),
                                        "--engines", "apertium,argos,whisper"])
    assert "  pl→es: whisper pl→en, apertium en→es" in whisper.output and "  pl→en: whisper pl→en" in whisper.output
    assert "  ru→es: argos ru→en, apertium en→es" in whisper.output
    assert "  en→ru: argos en→ru" in whisper.output and "  en→es: apertium en→es" in whisper.output


@pytest.mark.slow
def test_run_translates_real_english_speech_with_apertium(tmp_path, media):
    """`highlights run` on JFK's inaugural (11 s, real speech): Spanish directly, Portuguese and
    Italian through Spanish, each labelled in the manifest and the file headers, the product
    name intact; Polish, which nothing covers here, reported with the reason and no file."""
    catalog = tmp_path / "catalog.csv"
    catalog.write_text("id,name,aliases\nfellow,Fellow Americans,\n")
    preset = tmp_path / "preset.toml"
    preset.write_text(f'[translation]\npackages_dir = "{tmp_path / "none"}"\n'
                      f'cache_file = "{tmp_path / "cache.sqlite3"}"\n')
    out = tmp_path / "out"
    result = run_cli("run", str(media / "speech" / "en" / "jfk.flac"), "-o", str(out), "--language", "en",
                     "--languages", "en,es,pt,it,pl", "--catalog", str(catalog), "--pipeline", str(preset))
    assert result.returncode == 0, result.stderr
    folder = out / "jfk"
    manifest = json.loads((folder / "manifest.json").read_text())
    subtitles = manifest["subtitles"]
    assert list(subtitles) == ["en", "es", "pt", "it"] and list(manifest["missing_languages"]) == ["pl"]
    assert "no translation model for en→pl" in manifest["missing_languages"]["pl"]
    assert "no installed Apertium pair takes en to pl" in manifest["missing_languages"]["pl"]
    assert not list(folder.rglob("*.pl.*"))
    assert subtitles["en"]["engine"] == "transcript" and not subtitles["en"]["machine_translated"]
    routes = {"es": "apertium en→es", "pt": "apertium en→es→pt", "it": "apertium en→es→it"}
    spoken = (folder / subtitles["en"]["srt"]).read_text()
    assert "fellow Americans" in spoken, spoken  # the catalog name, in the case it was said
    for language, route in routes.items():
        files = subtitles[language]
        assert files["engine"] == "apertium" and files["route"] == route and files["machine_translated"]
        assert 0 <= files["unknown_word_rate"] < 0.2 and files["unknown_words_flagged"] is False
        vtt = (folder / files["vtt"]).read_text()
        assert vtt.startswith("WEBVTT\n\nNOTE Machine translation, not reviewed: rule-based machine translation "
                              f"(Apertium), route {route}")
        ass = (folder / files["ass"]).read_text()
        assert f"[Script Info]\n; Machine translation, not reviewed: rule-based machine translation (Apertium), " \
               f"route {route}" in ass
        srt = (folder / files["srt"]).read_text()
        assert "fellow Americans" in srt and ("país" in srt or "paese" in srt), srt
        assert not any(mark in srt for mark in "*#@")
    assert "compatriotas" not in (folder / subtitles["es"]["srt"]).read_text()  # the name was not translated
    lint_all([f for f in (folder / "subtitles").iterdir() if f.suffix in (".srt", ".vtt", ".ass")])


@pytest.mark.slow
def test_run_translates_real_russian_speech_into_ukrainian(tmp_path, media):
    preset = tmp_path / "preset.toml"
    preset.write_text(f'[translation]\npackages_dir = "{tmp_path / "none"}"\n'
                      f'cache_file = "{tmp_path / "cache.sqlite3"}"\n')
    out = tmp_path / "out"
    args = ["run", str(media / "speech" / "ru" / "coqui_ru.wav"), "-o", str(out), "--language", "ru",
            "--languages", "ru,uk,pl,en", "--pipeline", str(preset)]
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    folder = out / "coqui-ru"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert list(manifest["subtitles"]) == ["ru", "uk"] and set(manifest["missing_languages"]) == {"pl", "en"}
    assert "Whisper's translation into English is off" in manifest["missing_languages"]["en"]
    files = manifest["subtitles"]["uk"]
    assert files["route"] == "apertium ru→uk" and files["engine"] == "apertium"
    text = (folder / files["srt"]).read_text()
    spoken = (folder / manifest["subtitles"]["ru"]["srt"]).read_text()
    assert text.strip() and text != spoken and any(ch in text for ch in "іїєґ"), (spoken, text)
    lint_all([folder / files["srt"], folder / files["vtt"], folder / files["ass"]])
    # The stage's key covers the engines: a re-run reuses the subtitles.
    again = run_cli(*args)
    assert again.returncode == 0 and "subtitles" in json.loads((folder / "manifest.json").read_text())["reused_stages"]


def test_whisper_english_takes_only_the_english_track():
    from highlights.config import TranscribeSettings
    from highlights.translation.engines import load_engines
    from highlights.translation.routes import candidate_routes

    options = TranslationSettings(whisper_english=True, packages_dir="/nonexistent")
    engines = load_engines(options, "es", TranscribeSettings(), Path("replay.wav"))
    assert [e.name for e in engines] == ["argos", "apertium", "whisper"]
    assert [r.label for r in candidate_routes("es", "en", engines, True)][:2] == ["whisper es→en", "apertium es→en"]
    # Every other language keeps its text routes first; Whisper's come last, as a fallback.
    labels = [r.label for r in candidate_routes("es", "fr", engines, True)]
    assert labels[0] == "apertium es→fr" and "whisper es→en, apertium en→es→fr" in labels
    assert all(label.startswith("whisper") for label in labels[labels.index("whisper es→en, apertium en→es→fr"):])
    # Without it (and without "whisper" in engines) Whisper is not used at all.
    engines = load_engines(TranslationSettings(packages_dir="/nonexistent"), "pl", TranscribeSettings(),
                           Path("replay.wav"))
    assert [e.name for e in engines] == ["argos", "apertium"] and candidate_routes("pl", "en", engines) == []


def test_engine_names_are_validated(tmp_path):
    from highlights.config import ConfigError, load_settings

    assert load_settings("default").translation.engines == ["argos", "apertium"]
    assert load_settings("default", translation__engines=["apertium"]).translation.engines == ["apertium"]
    with pytest.raises(ConfigError, match="unknown engine\\(s\\) 'deepl' in engines; choose from argos, apertium, "
                                          "whisper"):
        load_settings("default", translation__engines=["argos", "deepl"])
    preset = tmp_path / "preset.toml"
    preset.write_text('[translation]\nengines = "argos"\n')
    with pytest.raises(ConfigError, match="engines = 'argos' has the wrong type"):
        load_settings(preset)


def test_a_track_with_many_unknown_words_is_flagged(tmp_path):
    transcript = transcript_of("ru", RUSSIAN + "Шмурдяковый фырчик кукожится. ")
    settings = settings_for(tmp_path / "none", tmp_path / "cache.sqlite3", ["ru", "uk"], ("apertium",))
    tracks = subtitle_tracks(transcript, settings, PRODUCTS)
    label = tracks.labels["uk"]
    assert label.route == "apertium ru→uk" and label.machine_translated and label.engine == "apertium"
    rate = label.unknown_word_rate
    assert rate is not None and 0.05 < rate < 0.6 and tracks.stats["uk"].unknown >= 3
    assert label.flagged == (rate > settings.translation.unknown_word_warning)
    settings.translation.unknown_word_warning = rate - 0.01
    label = subtitle_tracks(transcript, settings, PRODUCTS).labels["uk"]
    assert label.flagged and f"{rate:.0%} of the words were not translated (flagged)" in label.notice
    settings.translation.unknown_word_warning = rate + 0.01
    label = subtitle_tracks(transcript, settings, PRODUCTS).labels["uk"]
    assert not label.flagged and "(flagged)" not in label.notice
    assert tracks.labels["ru"].notice is None  # the transcript's own track is no translation
