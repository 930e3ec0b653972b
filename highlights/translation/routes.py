"""The route planner: how one language becomes another with the engines at hand.

Routes are tried in the engines' order (`[translation] engines`); for each engine its
direct pair first, then two hops through one of its hubs (Argos: the pivot, English;
Apertium: Spanish, then Catalan, ...).  Two hops by two engines (Argos ru→en, then Apertium
en→es) come after every single-engine route, and Whisper (audio into English, then any
text route from English) where it stands in the order.  The planner returns every route in
that order, so a route whose engine fails is followed by the next; a pair with none gets
the reason, engine by engine."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass

from .argos import INSTALL_HELP
from .engines import KIND, Engine, SpeechEngine, TextEngine


@dataclass(frozen=True, eq=False)
class Hop:
    engine: Engine
    source: str
    target: str


@dataclass(frozen=True, eq=False)
class Route:
    hops: tuple[Hop, ...]

    @property
    def engine(self) -> str:
        """`apertium`, or `argos+apertium` for a route through two engines."""
        return "+".join(dict.fromkeys(h.engine.name for h in self.hops))

    @property
    def label(self) -> str:
        """`apertium en→es→pt`; `whisper es→en, argos en→ru` across engines."""
        groups: list[list[Hop]] = []
        for hop in self.hops:
            if groups and groups[-1][-1].engine is hop.engine:
                groups[-1].append(hop)
            else:
                groups.append([hop])
        return ", ".join(f"{g[0].engine.name} " + "→".join([g[0].source, *(h.target for h in g)]) for g in groups)

    @property
    def kind(self) -> str:
        """What kind of machine translation, for file headers: `rule-based machine translation (Apertium)`."""
        return " then ".join(KIND[name] for name in dict.fromkeys(h.engine.name for h in self.hops))

    @property
    def from_audio(self) -> bool:
        return bool(self.hops) and self.hops[0].engine.from_audio


def _text_routes(source: str, target: str, engines: Sequence[TextEngine], mixed: bool = True) -> list[Route]:
    routes: list[Route] = []
    for engine in engines:
        pairs = engine.pairs()
        if (source, target) in pairs:
            routes.append(Route((Hop(engine, source, target),)))
        for hub in engine.hubs():
            if hub not in (source, target) and (source, hub) in pairs and (hub, target) in pairs:
                routes.append(Route((Hop(engine, source, hub), Hop(engine, hub, target))))
    if mixed:
        for first in engines:
            for second in engines:
                if first is second:
                    continue
                hubs = dict.fromkeys([*first.hubs(), *second.hubs(), *sorted({t for _, t in first.pairs()})])
                for hub in hubs:
                    if (hub not in (source, target) and (source, hub) in first.pairs()
                            and (hub, target) in second.pairs()):
                        routes.append(Route((Hop(first, source, hub), Hop(second, hub, target))))
    return routes


def candidate_routes(source: str, target: str, engines: Sequence[Engine], prefer_whisper_english: bool = False
                     ) -> list[Route]:
    """Every route from `source` to `target`, best first (see the module's docstring)."""
    text = [e for e in engines if isinstance(e, TextEngine) and not e.from_audio]
    routes: list[Route] = []
    mixed_done = False
    for engine in engines:
        if isinstance(engine, SpeechEngine) and engine.from_audio:
            if not mixed_done:
                routes += [r for r in _text_routes(source, target, text) if len({id(h.engine) for h in r.hops}) > 1]
                mixed_done = True
            for english in (p[1] for p in engine.pairs() if p[0] == source):
                first = Hop(engine, source, english)
                if english == target:
                    routes.append(Route((first,)))
                else:
                    routes += [Route((first, *r.hops)) for r in _text_routes(english, target, text)]
        elif isinstance(engine, TextEngine):
            routes += _text_routes(source, target, [engine], mixed=False)
    if not mixed_done:
        routes += [r for r in _text_routes(source, target, text) if len({id(h.engine) for h in r.hops}) > 1]
    if prefer_whisper_english and target == "en":
        routes.sort(key=lambda r: not (r.from_audio and len(r.hops) == 1))
    unique: dict[str, Route] = {}
    for route in routes:
        unique.setdefault(route.label, route)
    return list(unique.values())


def plan_route(source: str, target: str, engines: Sequence[Engine], prefer_whisper_english: bool = False
               ) -> Route | None:
    """The best route, or None."""
    routes = candidate_routes(source, target, engines, prefer_whisper_english)
    return routes[0] if routes else None


def missing_reason(source: str, target: str, engines: Sequence[Engine], names: Sequence[str],
                   pivot: str = "en") -> str:
    """Why no engine takes `source` to `target`, engine by engine, with what would."""
    have = {e.name for e in engines}
    through = f" (nor {source}→{pivot} and {pivot}→{target})" if pivot not in (source, target) else ""
    parts = []
    if "argos" in names:
        parts.append(f"no translation model for {source}→{target}{through} is installed; install one with "
                     + INSTALL_HELP.format(source, target))
    else:
        parts.append("Argos is not in [translation] engines")
    if "apertium" in names:
        if shutil.which("apertium") is None or not any(e.pairs() for e in engines if e.name == "apertium"):
            parts.append("Apertium is not installed (`sudo apt-get install apertium apertium-eng-spa ...`, "
                         "see scripts/system-deps.sh)")
        else:
            parts.append(f"no installed Apertium pair takes {source} to {target}, directly or through a hub")
    else:
        parts.append("Apertium is not in [translation] engines")
    if source != "en":  # Whisper translates speech into English only: no help for an English replay
        if "whisper" in names and "whisper" not in have:
            parts.append("Whisper's translation needs the replay's audio")
        elif "whisper" not in names:
            parts.append("Whisper's translation into English is off (add \"whisper\" to [translation] engines)")
    return "; ".join(parts)
