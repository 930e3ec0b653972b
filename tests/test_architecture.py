"""The shape of the package: no import cycles (imports inside functions count too), one
registry of language facts that a new language joins with one file, and a public API."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "highlights"


def import_graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports, anywhere in its body."""
    modules = {path: ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
               for path in PACKAGE.rglob("*.py")}
    known = set(modules.values())
    graph: dict[str, set[str]] = {name: set() for name in known}
    for path, name in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.split(".")
                    parent = parent[: len(parent) - (node.level - 1)]
                    base = ".".join([*parent, *([base] if base else [])])
                targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
            for target in targets:
                if target in known and target != name:
                    graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles():
    graph = import_graph()
    assert len(graph) > 20  # the walk found the package
    # `highlights` itself only names its exports lazily (module __getattr__), so the
    # package's modules importing `__version__` from it is not a cycle.
    graph["highlights"] = set()
    assert cycles(graph) == []


def test_the_cycle_finder_finds_cycles():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_import_highlights_is_light():
    """The public API names are there, and importing the package loads none of the heavy
    libraries (the CLI's --help must be quick)."""
    code = ("import sys, highlights; assert 'faster_whisper' not in sys.modules and 'av' not in sys.modules; "
            "print(sorted(highlights.__all__))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    names = ast.literal_eval(result.stdout)
    assert {"run_batch", "process_replay", "load_settings", "Manifest", "Clip", "Transcript"} <= set(names)
    import highlights

    for name in highlights.__all__:
        assert getattr(highlights, name) is not None


GERMAN = '''
[language]
name = "German"
native_name = "Deutsch"
script = "latin"
whisper = "de"
iso639_3 = "deu"
snowball = "german"
order = 9

[currencies]
EUR = ["€", "euro*", "eur"]
CHF = ["franken", "chf"]

[cues]
discount = ["rabatt*", "angebot*"]
promo_code = ["gutschein* code", "code"]
call_to_action = ["in den warenkorb", "jetzt kaufen"]
urgency = ["nur heute", "nur noch # stück"]

[links]
phrases = ["link nummer #", "nummer #"]

[talk]
chatter = ["hallo zusammen", "danke schön"]
intro = ["als nächstes", "schaut mal"]
refer = ["er", "sie", "es"]

[typography]
apostrophes = ["'", "’"]
units = ["prozent", "stück"]

[weak_words]
words = ["der", "die", "das", "und", "oder", "mit", "für", "ein", "eine"]

[intent]
price = ["wie viel", "was kostet"]
link = ["link*"]
'''

PROBE = r'''
import json
from highlights import LANGUAGES, load_settings
from highlights.cues import find_cues
from highlights.languages import get
from highlights.records import Word
from highlights.stemming import stemmer
from highlights.subtitles import build_cues
from highlights.text import join_words

words = [Word(0.0, 0.4, " Das"), Word(0.4, 0.9, " kostet"), Word(0.9, 1.2, " nur"), Word(1.2, 1.5, " 49"),
         Word(1.5, 1.9, " Euro."), Word(2.0, 2.4, " Jetzt"), Word(2.4, 2.9, " kaufen!")]
settings = load_settings("default", languages=["de", "en"], transcribe__language="de")
cues = build_cues(words, settings.subtitles, language="de")
print(json.dumps({
    "languages": list(LANGUAGES), "name": get("de").native_name, "stem": stemmer("de")("kaufen"),
    "text": join_words(words, "de"), "cue_kinds": sorted({c.kind for c in find_cues(words, "de")}),
    "lines": [line for cue in cues for line in cue.lines],
}))
'''


def test_a_ninth_language_is_one_new_file(tmp_path):
    """Copy the package, add `languages/de.toml` and nothing else: German is then a language
    of the CLI and the settings, with its stemmer, sales cues, typography and weak words."""
    import json
    import shutil

    copy = tmp_path / "highlights"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(PACKAGE.parent / "pipelines", tmp_path / "pipelines")  # presets, beside it as in a checkout
    (copy / "languages" / "de.toml").write_text(GERMAN, encoding="utf-8")
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=tmp_path,
                            env={**__import__("os").environ, "PYTHONPATH": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["languages"][-1] == "de" and len(found["languages"]) == 9
    assert found["name"] == "Deutsch" and found["stem"] == "kauf"
    assert found["text"] == "Das kostet nur 49 Euro. Jetzt kaufen!"
    assert {"price", "call_to_action"} <= set(found["cue_kinds"])
    assert all(line.split()[-1].lower() not in ("der", "die", "das", "und") for line in found["lines"])
    assert any("49 Euro" in line for line in found["lines"])  # the number kept with its currency
