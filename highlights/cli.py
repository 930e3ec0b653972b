"""The `highlights` command line: parses options and calls the library."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from . import __version__
from .catalog import CatalogError
from .config import CLIP_MODES, LANGUAGES, ConfigError, load_settings, preset_names
from .replay import STAGE_NAMES


def _os_error(exc: OSError) -> str:
    return f"{exc.filename}: {exc.strerror}" if exc.filename and exc.strerror else str(exc)


def _summary_rows(result) -> list[dict]:
    manifests = {m.input: m for m in result.manifests}
    rows = []
    for entry in result.entries:
        manifest = manifests.get(entry.input)
        rows.append({"input": entry.input, "status": entry.status, "error": entry.error,
                     "clips": len(manifest.clips) if manifest else None,
                     "warnings": list(manifest.warnings) if manifest else [],
                     "seconds": manifest.timings.get("total") if manifest else None})
    return rows


def _language_list(ctx, param, value: str | None) -> list[str] | None:
    if value is None:
        return None
    codes = [code.strip().lower() for code in value.split(",") if code.strip()]
    unknown = [code for code in codes if code not in LANGUAGES]
    if unknown or not codes:
        raise click.BadParameter(f"unknown language code(s) {', '.join(unknown) or '(none)'}; "
                                 f"choose from {','.join(LANGUAGES)}")
    return codes


def _jobs_value(ctx, param, value):
    if value is None or str(value).strip().lower() == "auto":
        return "auto"
    try:
        jobs = int(value)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise click.BadParameter(f"{value!r} is neither auto nor a number of jobs (1 or more)")
    return jobs


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="highlights")
def main() -> None:
    """Turn recorded live-shopping replays into product clips, subtitles and a recap page.

    Start with `highlights run REPLAY.mp4 -o out/` and open out/index.html.
    """


@main.command()
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("-o", "--out", "out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Output folder (created if missing).")
@click.option("--catalog", type=click.Path(dir_okay=False, path_type=Path),
              help="Product catalog (CSV or JSON) for every input. Default: <video>.catalog.csv or "
                   "catalog.csv beside each video, else no catalog.")
@click.option("--languages", callback=_language_list, metavar="CODES",
              help=f"Subtitle languages, comma-separated. Default: all of {','.join(LANGUAGES)}.")
@click.option("--language", type=click.Choice(LANGUAGES), help="Spoken language of the replays. Default: detect.")
@click.option("--model", metavar="NAME|DIR", help="Whisper model: a size name (base, small, large-v3...) or a "
              "faster-whisper model folder. Default: the bundled base model.")
@click.option("--clip-mode", metavar="MODE[,MODE...]",
              help=f"Clip formats, comma-separated ({', '.join(CLIP_MODES)}): copy: lossless, edges on keyframes; "
                   "exact: re-encoded, frame-exact; vertical 9:16 1080x1920, square 1:1 1080x1080, portrait 4:5 "
                   "1080x1350: reframed on the host, word-by-word captions.")
@click.option("--pipeline", metavar="NAME|FILE", default="default", show_default=True,
              help=f"Pipeline preset ({', '.join(preset_names())}) or a TOML file.")
@click.option("--events", "events", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Live-room events (CSV or JSON: time,kind,text,user) for every input. Default: each "
                   "replay's <name>.events.csv|json beside it, if any.")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]),
              help="Where Whisper runs: auto (a CUDA GPU when CTranslate2 sees one, else the CPU), cpu or cuda.")
@click.option("--jobs", callback=_jobs_value, default="auto", show_default=True, metavar="auto|N",
              help="Replays processed in parallel, each with its share of the CPU cores. auto: one job "
                   "per core for several replays (fewer for a few long ones), one for a single replay; "
                   "the choice is printed. `cpu_threads` in a preset sets the threads per job.")
@click.option("--force", "force", multiple=True, type=click.Choice(STAGE_NAMES),
              help="Redo this stage even if its stored result is still valid (repeatable).")
@click.option("--scheduler", metavar="ADDRESS",
              help="Run the replays on a Dask distributed cluster (e.g. tcp://10.0.0.5:8786); its workers "
                   "must see INPUT and OUT at the same paths.")
@click.option("-q", "--quiet", is_flag=True, help="Print only failures and the last line.")
@click.option("--log-format", type=click.Choice(["auto", "plain", "json"]), default="auto", show_default=True,
              help="auto: progress bars on a terminal, plain lines otherwise; json: one JSON object a line.")
@click.option("--debug", is_flag=True, help="Log details and tracebacks of failures.")
def run(inputs, out, catalog, languages, language, model, clip_mode, pipeline, events, device, jobs, force, scheduler,
        quiet, log_format, debug) -> None:
    """Process replays: INPUT is a video file, a folder (searched for videos) or a glob.

    Writes OUT/index.html, OUT/batch.json and one folder per replay with manifest.json,
    transcript.json, recap.html, subtitles/ and clips/. Running again into the same OUT
    reuses every stage whose inputs did not change. Exit status: 0 when every input
    succeeded, 1 when some failed, 2 on a usage error, 130 when interrupted.
    """
    from .catalog import load_catalog
    from .logs import configure_logging
    from .pipeline import run_batch
    from .progress import make_reporter

    configure_logging(debug, quiet, json_lines=log_format == "json")
    try:
        settings = load_settings(pipeline, languages=languages, transcribe__language=language,
                                 transcribe__model=model, clips__modes=clip_mode, transcribe__device=device)
    except (ConfigError, FileNotFoundError) as exc:
        raise click.UsageError(str(exc)) from None
    if catalog is not None:
        try:
            load_catalog(catalog)
        except CatalogError as exc:
            raise click.UsageError(str(exc)) from None
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise click.UsageError(f"{out}: cannot create the output folder: {exc.strerror or exc}") from None

    if scheduler:
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise click.UsageError("--scheduler needs Dask distributed: pip install 'highlights[cluster]'") from None
    reporter = make_reporter(log_format, quiet)
    from .inputs import expand_inputs

    sources = expand_inputs(list(inputs))[0]
    if not scheduler:
        from .pipeline import plan_batch

        plan = plan_batch(sources, jobs, settings)
        jobs = plan.jobs
        if log_format == "json":
            click.echo(json.dumps({"event": "jobs", "jobs": plan.jobs, "threads": plan.threads or os.cpu_count(),
                                   "reason": plan.reason}, ensure_ascii=False), err=True)
        elif not quiet:
            click.echo(plan.describe(), err=True)
    reporter.open(len(sources))
    try:
        result = run_batch(list(inputs), out, settings, catalog, jobs, reporter, force, scheduler, events)
    except KeyboardInterrupt:
        reporter.close()
        click.echo(f"Interrupted. What finished is kept; run the same command again to resume. "
                   f"{(out / 'batch.json').resolve()}", err=True)
        sys.exit(130)
    except OSError as exc:  # the output folder itself failed (read-only, disk full)
        reporter.close()
        click.echo(f"Error: {_os_error(exc)}", err=True)
        sys.exit(1)
    reporter.close()
    reporter.summary(_summary_rows(result))
    ok = sum(entry.status == "ok" for entry in result.entries)
    failed = len(result.entries) - ok
    if log_format == "json":  # every line of a JSON log is JSON, the last one too
        click.echo(json.dumps({"event": "done", "ok": ok, "failed": failed,
                               "index": str((out / "index.html").resolve())}, ensure_ascii=False))
    else:
        click.echo(f"{ok} ok, {failed} failed. Open {(out / 'index.html').resolve()}")
    sys.exit(0 if result.ok and result.entries else 1)


@main.group()
def review() -> None:
    """Translator review of a replay's subtitles, through XLIFF 1.2 files.

    `highlights review export OUT/<replay> --language ru` writes OUT/<replay>/review/<replay>.ru.xlf
    for a translation tool; `highlights review import OUT/<replay> FILE.xlf` writes the corrections
    back as human edits, which later runs never overwrite. The review pages are
    OUT/<replay>/review/<language>.html.
    """


def _subtitle_settings(pipeline: str):
    try:
        return load_settings(pipeline).subtitles
    except (ConfigError, FileNotFoundError) as exc:
        raise click.UsageError(str(exc)) from None


_replay_folder = click.Path(exists=True, file_okay=False, path_type=Path)
_pipeline_option = click.option("--pipeline", metavar="NAME|FILE", default="default", show_default=True,
                                help="Preset whose subtitle rules (line length, reading speed) apply.")


@review.command("export")
@click.argument("replay", type=_replay_folder)
@click.option("--language", "languages", callback=_language_list, metavar="CODES",
              help="Subtitle languages to export, comma-separated. Default: every language the replay has.")
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (with one language). Default: REPLAY/review/<replay>.<language>.xlf")
@_pipeline_option
def review_export(replay, languages, out, pipeline) -> None:
    """Write one XLIFF 1.2 file per language for a translator: every subtitle of the replay
    and of its clips, with times and rule warnings as notes."""
    from .review import ReviewError, load_replay, review_languages
    from .xliff import export_xliff

    settings = _subtitle_settings(pipeline)
    try:
        codes = languages or review_languages(load_replay(replay))
        if out is not None and len(codes) != 1:
            raise click.UsageError("--out names one file: give exactly one --language with it")
        for code in codes:
            click.echo(f"{code}: {export_xliff(replay, code, settings, out)}")
    except ReviewError as exc:
        raise click.ClickException(str(exc)) from None


@review.command("import")
@click.argument("replay", type=_replay_folder)
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path),
                metavar="FILE.xlf...")
@click.option("--by", metavar="NAME", help="Who made the corrections, for the edit record. Default: your user name.")
@_pipeline_option
def review_import(replay, files, by, pipeline) -> None:
    """Apply a translator's XLIFF files: changed subtitles are written to the SRT and VTT files
    as human edits and recorded in REPLAY/edits.jsonl; the recap and review pages are redone.
    A file that cannot be applied whole changes nothing."""
    from .recap import write_replay_pages
    from .review import ReviewError, load_replay
    from .review_apply import import_xliff

    settings = _subtitle_settings(pipeline)
    for path in files:
        try:
            result = import_xliff(replay, path, settings, by=by)
        except ReviewError as exc:
            raise click.ClickException(str(exc)) from None
        if result.edits:
            # Importing only writes subtitles; the pages showing them are this command's job.
            try:
                write_replay_pages(replay, load_replay(replay), settings)
            except (OSError, ValueError) as exc:  # the edits are in; a page that cannot be redone is no reason to fail
                result.warnings.append(f"{replay}: recap and review pages not redone: {exc}")
        carried = result.carried_over
        click.echo(f"{path}: {result.language}: {len(result.edits) - carried} subtitles corrected"
                   + (f", {carried} more carried over to the same words in other files" if carried else "")
                   + f"; {len(result.files)} subtitle files rewritten")
        if result.conflicts:
            click.echo(f"  {result.conflicts} of them replaced a direct edit of the file; the replaced text "
                       "is kept in edits.jsonl", err=True)
        for warning in result.warnings:
            click.echo(f"  warning: {warning}", err=True)
        if result.clips:
            click.echo(f"  clips whose subtitles changed: {', '.join(result.clips)}")
        if result.captions:
            click.echo(f"  burned-in captions corrected for {', '.join(result.captions)}: run `highlights run` "
                       "on this replay again to burn them into the clips")


@main.command("serve")
@click.argument("out", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but a loopback address lets other machines in.")
def serve_command(out, port, host) -> None:
    """Review desk: the batch's pages in your browser, with approve / reject, edges moved by
    word or sentence and title edits per clip, written to OUT/<replay>/decisions.json (the
    next `highlights run` honours them)."""
    from .serve import serve

    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"warning: listening on {host}: anyone who can reach it can see the batch", err=True)
    try:
        serve(out, host, port)
    except OSError as exc:  # port taken, address not ours
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


@main.command("export")
@click.argument("out", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--format", "formats", default="otio,fcp7,fcpx,edl", show_default=True, metavar="FORMATS",
              help="Comma-separated: otio, fcp7 (.xml: Premiere, Resolve), fcpx (.fcpxml: Final Cut), edl (CMX 3600).")
@click.option("--source-root", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Folder the replays' relative input paths start from. Default: here, then the folder above OUT.")
def export_command(out: Path, formats: str, source_root: Path | None) -> None:
    """Write editor timelines of every replay under OUT (a `highlights run` output folder):
    OUT/<slug>/export/<slug>.otio|.xml|.fcpxml|.edl, the clips as ranges of the source replay.
    """
    # Imported here: OpenTimelineIO is needed by this command only.
    from .export import ExportError, export_batch, parse_formats

    try:
        results = export_batch(out, parse_formats(formats), source_root)
    except ExportError as exc:
        raise click.UsageError(str(exc)) from None
    for result in results:
        written = ", ".join(Path(path).name for path in result.files.values()) or "nothing"
        click.echo(f"{result.slug}: {written} at {result.rate} fps in {result.seconds:.2f}s")
        for note in result.notes:
            click.echo(f"  {note}")


@main.command("lint-subs")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path), metavar="FILE...")
@click.option("--vertical", "upright", is_flag=True, help="Use the limits for vertical clips (one line per cue).")
@click.option("--max-chars", type=click.IntRange(min=1), help="Characters per line. Default: the preset's.")
@click.option("--max-lines", type=click.IntRange(min=1), help="Lines per cue. Default: the preset's.")
@click.option("--language", "language", metavar="CODE",
              help="The subtitles' language, for its weak words and joins. Default: from the file name "
                   "(NAME.fr.srt), else not checked.")
@_pipeline_option
def lint_subs(files, upright, max_chars, max_lines, language, pipeline) -> None:
    """Check subtitle files (SRT, WebVTT, ASS, ...) against the subtitle rules: characters per
    line, lines per cue, shortest and longest duration, reading speed, gap between cues; with
    a language, lines ending on a weak word, words split where they join, sentence ends inside
    a cue. A cue too fast because the speaker is faster than the limit is reported as `fast
    speech` with the speech rate.

    Prints each violation with its cue number. Exit status 1 when there is any, or when a
    file cannot be read as subtitles.
    """
    from dataclasses import replace

    from .lint import lint_file
    from .subfiles import SubtitleFileError
    from .subtitles import vertical

    rules = _subtitle_settings(pipeline)
    rules = vertical(rules) if upright else rules
    rules = replace(rules, max_chars_per_line=max_chars or rules.max_chars_per_line,
                    max_lines=max_lines or rules.max_lines)
    failed = False
    for path in files:
        try:
            count, violations = lint_file(path, rules, language or _language_of(path))
        except FileNotFoundError:
            click.echo(f"{path}: no such file", err=True)
            failed = True
            continue
        except SubtitleFileError as exc:
            click.echo(str(exc), err=True)
            failed = True
            continue
        for violation in violations:
            click.echo(f"{path}: {violation}")
        click.echo(f"{path}: {count} cues, " + (f"{len(violations)} violations" if violations else "ok"))
        failed = failed or bool(violations)
    sys.exit(1 if failed else 0)


def _language_of(path: Path) -> str | None:
    """`fr` for `replay.fr.srt` (how highlights names subtitle files)."""
    from .languages import codes

    parts = Path(path).name.split(".")
    return parts[-2] if len(parts) >= 3 and parts[-2] in codes() else None


@main.group()
def models() -> None:
    """Translation engines for the subtitle languages: Argos Translate packages, Apertium
    (Debian packages `apertium-*`) and Whisper's translation into English.

    A pair goes directly, or in two hops through a hub (Argos: English; Apertium: Spanish or
    Catalan). Argos packages live in Argos Translate's own folder ($ARGOS_PACKAGES_DIR, else
    ~/.local/share/argos-translate/packages) unless --packages-dir (or `packages_dir` in the
    preset's [translation] table) says otherwise; Apertium's pairs are its installed modes.
    """


_packages_option = click.option("--packages-dir", type=click.Path(file_okay=False, path_type=Path),
                                help="Folder of installed packages. Default: Argos Translate's own.")

CELLS = {"argos": "A", "apertium": "P", "whisper": "W"}


@models.command("list")
@_packages_option
@click.option("--engines", "engine_names", metavar="argos,apertium,whisper",
              help="Engines in the order tried (default: the preset's [translation] engines).")
@click.option("--pipeline", "pipeline", metavar="NAME|FILE", help="Preset whose [translation] table to use.")
def models_list(packages_dir, engine_names, pipeline) -> None:
    """Installed packages and modes, and the route of every pair of subtitle languages."""
    from dataclasses import replace

    from .translation.apertium import apertium_dir, installed_modes, version
    from .translation.argos import installed_packages
    from .translation.argos import packages_dir as default_packages_dir
    from .translation.engines import engine_order
    from .translation.routes import Route
    from .translation.tracks import route_matrix

    try:
        options = load_settings(pipeline).translation
        if engine_names:
            options = replace(options, engines=[e.strip() for e in engine_names.split(",") if e.strip()])
            load_settings(pipeline, translation__engines=options.engines)  # validates the names
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    if packages_dir:
        options = replace(options, packages_dir=str(packages_dir))
    folder = Path(options.packages_dir) if options.packages_dir else default_packages_dir()
    packages = installed_packages(folder)
    click.echo(f"Argos packages in {folder}:")
    for package in packages:
        click.echo(f"  {package.pair}  version {package.version or '?'}  ({package.path.name})")
    if not packages:
        click.echo("  none")
    modes = installed_modes(apertium_dir(options.apertium_dir))
    click.echo(f"Apertium modes ({version() or 'Apertium not installed'}): "
               + (" ".join(f"{m.name} ({m.pair})" for m in modes) or "none"))
    order = engine_order(options)
    click.echo(f"Engines, in the order tried: {', '.join(order) or 'none'}")
    matrix = route_matrix(options, LANGUAGES, whisper="whisper" in order)
    click.echo("\nSpoken language (rows) → subtitles (columns): A Argos, P Apertium, W Whisper to English; "
               "2 = two hops through a hub, - missing")
    click.echo("    " + "".join(f"{code:>6}" for code in LANGUAGES))
    missing = 0
    for source in LANGUAGES:
        cells = []
        for target in LANGUAGES:
            route = matrix.get((source, target))
            if source == target:
                cells.append("·")
            elif isinstance(route, Route):
                cell = "+".join(CELLS[name] for name in route.engine.split("+"))
                cells.append(cell + ("2" if len(route.hops) > 1 and "+" not in cell else ""))
            else:
                cells.append("-")
                missing += 1
        click.echo(f"  {source}" + "".join(f"{cell:>6}" for cell in cells))
    total = len(LANGUAGES) * (len(LANGUAGES) - 1)
    click.echo(f"\n{total - missing} of {total} pairs can be translated, {missing} missing.\n")
    for (source, target), route in matrix.items():
        click.echo(f"  {source}→{target}: " + (route.label if isinstance(route, Route) else f"missing: {route}"))


@models.command("install")
@click.argument("what", nargs=-1, required=True, metavar="FROM TO | FILE.argosmodel")
@_packages_option
def models_install(what, packages_dir) -> None:
    """Install a translation model: `FROM TO` downloads it from the Argos Translate package
    index (online); `FILE.argosmodel` installs a package file you already have (offline).
    An older package of the same pair is replaced."""
    from .translation.argos import install_file, install_pair
    from .translation.argos import packages_dir as default_packages_dir
    from .translation.errors import TranslationError

    folder = packages_dir or default_packages_dir()
    if len(what) == 2:
        unknown = [code for code in what if code not in LANGUAGES]
        if unknown:
            raise click.UsageError(f"unknown language code(s) {', '.join(unknown)}; choose from {','.join(LANGUAGES)}")
    elif len(what) != 1:
        raise click.UsageError("give two language codes (FROM TO) or one FILE.argosmodel")
    try:
        package = install_pair(what[0], what[1], folder) if len(what) == 2 else install_file(Path(what[0]), folder)
    except TranslationError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"installed {package.pair} (version {package.version or '?'}) in {package.path}")


@models.command("verify")
@_packages_option
@click.option("--apertium/--no-apertium", "apertium_modes", default=True,
              help="Also run every installed Apertium mode on a test sentence.")
def models_verify(packages_dir, apertium_modes) -> None:
    """Load every installed package and translate a test sentence with it (and with every
    Apertium mode, unless --no-apertium). Exit status 1 when one fails."""
    from .translation.argos import packages_dir as default_packages_dir
    from .translation.argos import scan_packages, verify_package

    folder = packages_dir or default_packages_dir()
    packages, problems = scan_packages(folder)
    for problem in problems:
        click.echo(f"FAILED: {problem}")
    for package in packages:
        trouble = verify_package(package)
        click.echo(f"{package.pair}: " + ("ok" if trouble is None else f"FAILED: {trouble}"))
        problems += [trouble] if trouble else []
    if not packages and not problems:
        click.echo(f"no translation packages in {folder}")
    if apertium_modes:
        from .translation.apertium import apertium_dir, installed_modes, translate_lines
        from .translation.errors import TranslationError

        for mode in installed_modes(apertium_dir(load_settings().translation.apertium_dir)):
            try:  # one word any pair knows the shape of; what matters is one good line back
                translate_lines(mode, ["Test."])
                click.echo(f"apertium {mode.name} ({mode.pair}): ok")
            except TranslationError as exc:
                click.echo(f"apertium {mode.name} ({mode.pair}): FAILED: {exc}")
                problems.append(str(exc))
    sys.exit(1 if problems else 0)
