"""Apertium, Debian's rule-based offline translator, run as a subprocess.

- The pairs are the installed mode files (`/usr/share/apertium/modes/*.mode`, or
  `[translation] apertium_dir`/modes): `eng-spa`, `es-pt`, `fr-es`, ... .  A mode's codes are
  two- or three-letter ones; the language registry (`[language] iso639_3`) maps them to ours.
  Languages that are none of ours (Catalan) stay as hubs a route can pass through.  Variants
  (`eng-cat_valencia`, `es-pt_BR`) and modes whose name is not `xx-yy` are not used.
- One `apertium` process per track and hop, the sentences one a line (the `txt` format keeps
  lines): starting the pipeline of eight programs costs far more than translating a line.
- The rus-ukr data as shipped crash `apertium-tagger` on its `.prob` file (a segfault, and
  the output is empty); the constraint grammar that runs before it can choose the reading
  on its own (`cg-proc -1 -n`), so that is put in the tagger's place at run time.
- Every hop's output is checked: as many lines as went in, none empty for a line that was
  not.  Apertium marks what it could not translate (`*word` unknown to the analyser, `@word`
  missing from the bilingual dictionary, `#word` not generated); the marks are removed and
  counted, for the track's untranslated-word rate."""

from __future__ import annotations

import functools
import hashlib
import re
import shlex
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .. import languages
from .errors import TranslationError

DEFAULT_DIR = Path("/usr/share/apertium")
# Modes whose `apertium-tagger` step crashes on the data Debian ships (apertium-rus-ukr 0.2.1).
TAGGER_CRASHES = {"rus-ukr", "ukr-rus"}
MARK = re.compile(r"(?<![\w*#@])[*#@](?=\w)")
PLACEHOLDER_WORD = re.compile(r"^[XxХх][Qq]\d{1,3}\W*$")
TIMEOUT = 600  # seconds for one hop of one track: an hour of speech takes a few


@dataclass(frozen=True)
class Mode:
    """An installed Apertium translation direction."""

    name: str  # as installed: "eng-spa"
    source: str  # our code ("en"), or the mode's own for a language we do not subtitle ("cat")
    target: str
    path: Path

    @property
    def pair(self) -> str:
        return f"{self.source}→{self.target}"


def apertium_dir(configured: str = "") -> Path:
    return Path(configured).expanduser() if configured else DEFAULT_DIR


def _codes() -> dict[str, str]:
    """Mode language code (two or three letters) -> our code."""
    table: dict[str, str] = {}
    for code, language in languages.registry().items():
        table[code] = code
        table[language.iso639_3] = code
    return table


def installed_modes(folder: Path) -> list[Mode]:
    """The usable translation directions in `folder`/modes, one per pair (a three-letter
    mode is preferred to a two-letter one for the same pair: the newer data)."""
    if shutil.which("apertium") is None:
        return []
    codes = _codes()
    found: dict[tuple[str, str], Mode] = {}
    for path in sorted((folder / "modes").glob("*.mode")):
        match = re.fullmatch(r"([a-z]{2,3})-([a-z]{2,3})", path.stem)
        if not match:
            continue
        source, target = (codes.get(code, code) for code in match.groups())
        if source == target:
            continue
        mode = Mode(path.stem, source, target, path)
        current = found.get((source, target))
        if current is None or len(mode.name) > len(current.name):
            found[source, target] = mode
    return sorted(found.values(), key=lambda m: (m.source, m.target))


@functools.lru_cache(maxsize=4)
def version() -> str:
    """`Apertium 3.8.3`, or "" when it is not installed."""
    if shutil.which("apertium") is None:
        return ""
    try:
        done = subprocess.run(["apertium", "-V"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() or done.stderr.strip()


def mode_stamp(mode: Mode) -> str:
    """Changes when the mode or any file it runs is replaced (a package upgrade): its text,
    and the size and time of each data file it names."""
    text = mode.path.read_text(encoding="utf-8")
    parts = [text]
    for name in re.findall(r"'(/[^']+)'", text):
        file = Path(name)
        st = file.stat() if file.exists() else None
        parts.append(f"{name} {st.st_size} {st.st_mtime_ns}" if st else f"{name} missing")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def command_line(mode: Mode) -> str:
    """The mode's pipeline as it must run here: the tagger that crashes replaced."""
    text = mode.path.read_text(encoding="utf-8").strip()
    if mode.name in TAGGER_CRASHES:
        grammar = re.search(r"cg-proc -w '([^']+\.rlx\.bin)'", text)
        if grammar is None:
            raise TranslationError(f"{mode.path}: apertium {mode.name} crashes in apertium-tagger and has no "
                                   "constraint grammar to put in its place; pair refused")
        text, count = re.subn(r"apertium-tagger -g \$2 '[^']+\.prob'", f"cg-proc -1 -n {shlex.quote(grammar[1])}",
                              text)
        if count != 1:
            raise TranslationError(f"{mode.path}: apertium {mode.name} crashes in apertium-tagger, whose step "
                                   "could not be found to replace; pair refused")
    return text


def translate_lines(mode: Mode, lines: list[str]) -> tuple[list[str], list[tuple[str, ...]]]:
    """`lines` translated by one `apertium` process, with the marks of untranslated words
    removed, and the words of each line that were marked.  Raises TranslationError, naming
    the mode, when the output is not one good line per line."""
    if not lines:
        return [], []
    clean = [" ".join(line.split()) for line in lines]  # one line each, whatever they held
    with tempfile.TemporaryDirectory(prefix="highlights-apertium-") as temp:
        # `apertium -d DIR MODE` runs DIR/modes/MODE.mode: a copy with our command line.
        (Path(temp) / "modes").mkdir()
        (Path(temp) / "modes" / f"{mode.name}.mode").write_text(command_line(mode) + "\n", encoding="utf-8")
        try:
            done = subprocess.run(["apertium", "-d", temp, "-f", "txt", mode.name], input="\n".join(clean) + "\n",
                                  capture_output=True, text=True, timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise TranslationError(f"apertium {mode.name}: no answer within {TIMEOUT} s") from None
        except OSError as exc:
            raise TranslationError(f"apertium {mode.name}: could not run ({exc})") from None
    if done.returncode != 0:
        raise TranslationError(f"apertium {mode.name} failed (exit status {done.returncode}): "
                               f"{(done.stderr.strip().splitlines() or ['no message'])[-1]}")
    out = done.stdout.split("\n")
    if out and out[-1] == "":
        out.pop()
    if len(out) != len(clean):
        raise TranslationError(f"apertium {mode.name}: {len(out)} lines came back for {len(clean)} "
                               f"({done.stderr.strip()[:200] or 'no message'})")
    texts, unknown = [], []
    for source, line in zip(clean, out):
        if source.strip() and not line.strip():
            raise TranslationError(f"apertium {mode.name}: an empty translation for {source[:60]!r} "
                                   f"({done.stderr.strip()[:200] or 'no message'})")
        text, marked = strip_marks(line)
        texts.append(text)
        unknown.append(marked)
    return texts, unknown


def strip_marks(line: str) -> tuple[str, tuple[str, ...]]:
    """The line without Apertium's `*`, `@` and `#` marks, and the words that were marked
    (placeholders, which no dictionary knows, are not among them)."""
    marked = []
    for match in MARK.finditer(line):
        rest = line[match.end():].split(maxsplit=1)
        word = rest[0].strip(".,!?;:»”\"')(") if rest else ""
        if word and not PLACEHOLDER_WORD.match(word):
            marked.append(word)
    return " ".join(MARK.sub("", line).split()), tuple(marked)
