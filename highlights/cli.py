"""The `highlights` command line: parses options and calls the library."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from . import __version__
from .catalog import CatalogError
from .config import CLIP_MODES, LANGUAGES, ConfigError, load_settings, preset_names
from .stages import STAGES


def _language_list(ctx, param, value: str | None) -> list[str] | None:
    if value is None:
        return None
    codes = [code.strip().lower() for code in value.split(",") if code.strip()]
    unknown = [code for code in codes if code not in LANGUAGES]
    if unknown or not codes:
        raise click.BadParameter(f"unknown language code(s) {', '.join(unknown) or '(none)'}; "
                                 f"choose from {','.join(LANGUAGES)}")
    return codes


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
@click.option("--clip-mode", type=click.Choice(CLIP_MODES),
              help="copy: lossless, edges on keyframes; exact: re-encoded, frame-exact; vertical: 9:16 1080x1920.")
@click.option("--pipeline", metavar="NAME|FILE", default="default", show_default=True,
              help=f"Pipeline preset ({', '.join(preset_names())}) or a TOML file.")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Replays processed in parallel (each job gets its share of the CPU cores).")
@click.option("--force", "force", multiple=True, type=click.Choice(STAGES),
              help="Redo this stage even if its stored result is still valid (repeatable).")
@click.option("--debug", is_flag=True, help="Log details and tracebacks of failures.")
def run(inputs, out, catalog, languages, language, model, clip_mode, pipeline, jobs, force, debug) -> None:
    """Process replays: INPUT is a video file, a folder (searched for videos) or a glob.

    Writes OUT/index.html, OUT/batch.json and one folder per replay with manifest.json,
    transcript.json, recap.html, subtitles/ and clips/. Running again into the same OUT
    reuses every stage whose inputs did not change. Exit status: 0 when every input
    succeeded, 1 when some failed, 2 on a usage error.
    """
    from .catalog import load_catalog
    from .pipeline import run_batch

    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, format="%(levelname)s %(message)s")
    try:
        settings = load_settings(pipeline, languages=languages, transcribe__language=language,
                                 transcribe__model=model, clips__mode=clip_mode)
    except (ConfigError, FileNotFoundError) as exc:
        raise click.UsageError(str(exc)) from None
    if catalog is not None:
        try:
            load_catalog(catalog)
        except CatalogError as exc:
            raise click.UsageError(str(exc)) from None

    def on_event(kind: str, data: dict) -> None:
        name = data.get("input")
        if kind == "start":
            click.echo(f"→ {name}", err=True)
        elif kind == "stage":
            click.echo(f"  {data['stage']}…", err=True)
        elif kind == "ok":
            total = (data.get("timings") or {}).get("total")
            click.echo(f"✓ {name}" + (f" ({total:.1f}s)" if total else ""), err=True)
        elif kind == "failed":
            click.echo(f"✗ {data['error']}", err=True)

    result = run_batch(list(inputs), out, settings, catalog, jobs, on_event, force)
    ok = sum(entry.status == "ok" for entry in result.entries)
    failed = len(result.entries) - ok
    click.echo(f"{ok} ok, {failed} failed. Open {(out / 'index.html').resolve()}")
    sys.exit(0 if result.ok and result.entries else 1)
