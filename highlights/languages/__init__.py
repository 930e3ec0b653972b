"""The language registry: everything the code knows about a language, in one TOML file per
language beside this module (`en.toml`, `ru.toml`, ...).

A file has a `[language]` table (names, script, the codes other tools use for it, the
stemmer) and the tables the modules read through it: the sales lexicon (`[currencies]`,
`[cues]`, `[talk]`, `[letters]`, `[numbers]`, `[stemming]`; see `highlights.lexicon`).
Modules never keep per-language facts of their own: they ask `get(code)`.  Adding a ninth
language is one new file here."""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

HERE = Path(__file__).resolve().parent
SCRIPTS = ("latin", "cyrillic")


class LanguageError(ValueError):
    pass


@dataclass(frozen=True)
class Language:
    code: str  # the two-letter code used everywhere in highlights (file names, settings)
    name: str  # in English
    native_name: str  # as its speakers write it (recap language menus)
    script: str  # latin | cyrillic
    whisper: str  # faster-whisper's code
    iso639_3: str  # three-letter code
    snowball: str | None  # snowballstemmer's algorithm, None where there is none
    order: int  # place in listings
    tables: Mapping[str, Any] = field(default_factory=dict, repr=False)  # every other table of the file

    def table(self, name: str) -> Mapping[str, Any]:
        """One table of the language's file (`{}` when it has none)."""
        value = self.tables.get(name, {})
        if not isinstance(value, Mapping):
            raise LanguageError(f"{HERE / (self.code + '.toml')}: [{name}] must be a table")
        return value


def _read(path: Path) -> Language:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise LanguageError(f"{path}: not a valid language file: {exc}") from None
    head = data.pop("language", None)
    if not isinstance(head, dict):
        raise LanguageError(f"{path}: missing the [language] table")
    try:
        language = Language(
            code=path.stem,
            name=str(head["name"]),
            native_name=str(head.get("native_name", head["name"])),
            script=str(head["script"]),
            whisper=str(head.get("whisper", path.stem)),
            iso639_3=str(head["iso639_3"]),
            snowball=str(head.get("snowball") or "") or None,
            order=int(head.get("order", 1000)),
            tables=MappingProxyType(data),
        )
    except KeyError as exc:
        raise LanguageError(f"{path}: [language] lacks {exc.args[0]!r}") from None
    if language.script not in SCRIPTS:
        raise LanguageError(f"{path}: script {language.script!r} is not one of {', '.join(SCRIPTS)}")
    return language


@functools.lru_cache(maxsize=1)
def registry() -> Mapping[str, Language]:
    """Every language with a file here, in listing order."""
    found = sorted((_read(path) for path in HERE.glob("*.toml")), key=lambda lang: (lang.order, lang.code))
    return MappingProxyType({language.code: language for language in found})


def codes() -> tuple[str, ...]:
    return tuple(registry())


def get(code: str) -> Language:
    try:
        return registry()[code]
    except KeyError:
        raise LanguageError(f"unknown language {code!r}; supported: {', '.join(codes())}") from None


def by_script(script: str) -> tuple[str, ...]:
    return tuple(code for code, language in registry().items() if language.script == script)


@functools.lru_cache(maxsize=1)
def currency_forms() -> frozenset[str]:
    """Every written form of a currency in any language's `[currencies]` table, case-folded:
    signs (`$`, `₴`), ISO codes (`usd`) and single words without a wildcard (`zł`, `грн`,
    `quid`).  The one list of currencies: subtitles keep these with their number, translation
    keeps them with their amount, the sales cues read prices with them."""
    forms: set[str] = set()
    for language in registry().values():
        for code, words in language.table("currencies").items():
            if code == "%":
                continue
            forms.add(code.casefold())
            forms |= {str(w).casefold() for w in words if len(str(w).split()) == 1 and not str(w).endswith("*")}
    return frozenset(forms)


def currency_signs() -> frozenset[str]:
    """The currency signs among `currency_forms` (`$`, `€`, `zł` is a word)."""
    return frozenset(f for f in currency_forms() if len(f) == 1 and not f.isalnum())


LANGUAGES = codes()

__all__ = ["LANGUAGES", "Language", "LanguageError", "by_script", "codes", "currency_forms", "currency_signs", "get",
           "registry"]
