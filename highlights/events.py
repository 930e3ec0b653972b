"""Live-room events: what the audience did while the host talked (comments, likes, add to
cart, purchases, shares, gifts, follows), read from the platform's export, and what it says
about the presentations.

Input: `--events FILE`, or `<replay>.events.csv` / `<replay>.events.json` beside the replay,
rows `time,kind,text,user` (time in seconds from the replay start or `[HH:]MM:SS[.f]`).  The
parser is strict: one malformed row refuses the file with one line naming the file and the
row, and the replay is processed without events (`load_events` never raises for a bad file;
its `error` goes into the manifest's warnings).

Signals (`live_signals`, a pure function):
- **spikes**: per kind, events per `bin` seconds (each user once per bin, so one viewer
  hammering a button is one), scored against a rolling baseline with a robust z-score
  (rolling median and MAD of the bins around, the bin's own neighbourhood left out so a burst
  does not raise its own baseline);
- **lag**: how long the room takes to react to what the host says, estimated from the data by
  cross-correlating the times products are named with the comment rate (a default when the
  data are too thin to tell);
- **buying intent**: comments asking for the link or the price, or saying "I want it", per
  language, from the `[intent]` table of each language file (any language: viewers do not
  always write in the host's), each viewer counted once per presentation.

It returns score boosts for the selected presentations, each with reasons (`add-to-cart
spike x5 at 4:12`, `12 viewers asked for the link`), and proposes a highlight where the room
bought strongly but the host said too little for the transcript alone to make a clip."""

from __future__ import annotations

import csv
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from typing import Any

from . import languages as registry
from .lexicon import Phrase, find_phrases
from .records import Highlight, Mention
from .text import normalize

KINDS = ("comment", "like", "add_to_cart", "purchase", "share", "gift", "follow")
# How a spike of each kind reads in a reason, and what it adds to a presentation's score:
# buying outweighs talking about buying, which outweighs applause.  (A name said once is 1.)
SPIKE_NAMES = {"comment": "chat", "like": "like", "add_to_cart": "add-to-cart", "purchase": "purchase",
               "share": "share", "gift": "gift", "follow": "follow"}
SALES = ("add_to_cart", "purchase")
INTENT_PHRASES = {"link": "asked for the link", "price": "asked the price", "buy": "want to buy"}


class EventsError(ValueError):
    """A malformed events file; the message is one line naming the file and the row."""


@dataclass
class Event:
    time: float  # seconds from the replay start
    kind: str  # one of KINDS
    text: str = ""
    user: str = ""  # "" when the platform does not say: each such event counts as its own viewer


@dataclass
class EventSettings:
    bin: float = 5.0  # seconds per count
    window: int = 12  # bins each side of a bin that make its rolling baseline (a minute either way)
    min_z: float = 4.0  # robust z-score from which a bin is a spike
    min_ratio: float = 2.5  # ... and at least this many times the usual count
    min_count: int = 3  # ... and at least this many viewers
    max_lag: float = 40.0  # seconds the room may take to react
    default_lag: float = 5.0  # used when the data do not show the lag
    grace: float = 5.0  # seconds after a presentation's (lagged) end that still count for it
    spike_boost: dict[str, float] = field(default_factory=lambda: {
        "purchase": 2.0, "add_to_cart": 1.5, "comment": 0.5, "gift": 0.5, "like": 0.25, "share": 0.25,
        "follow": 0.25})
    intent_viewers: int = 3  # viewers asking the same thing before it counts
    intent_boost: float = 0.5  # per kind of question (link, price, buy); doubled from 10 viewers
    lookback: float = 45.0  # a proposed highlight: a product named this long before the sales
    min_clip: float = 15.0
    max_clip: float = 60.0


@dataclass
class Spike:
    kind: str
    start: float  # seconds: the first bin's start
    end: float  # the last bin's end
    peak: float  # start of the busiest bin
    count: int  # viewers in the busiest bin
    baseline: float  # the usual count per bin around it
    ratio: float  # count / baseline
    z: float
    first: float = 0.0  # the run's first event: when the surge began, what a reason names

    @property
    def reason(self) -> str:
        return f"{SPIKE_NAMES[self.kind]} spike x{self.ratio:.0f} at {clock(self.first)}"


@dataclass
class Boost:
    index: int  # position of the highlight in the list given
    amount: float
    reasons: list[str] = field(default_factory=list)


@dataclass
class EventSignals:
    boosts: list[Boost] = field(default_factory=list)
    proposals: list[Highlight] = field(default_factory=list)
    spikes: list[Spike] = field(default_factory=list)
    lag: float = 0.0
    lag_from: str = "default"  # "data" (cross-correlation) or "default"
    lag_correlation: float = 0.0
    # language ("*": a comment several languages share, like "link?") -> intent kind -> viewers
    intent: dict[str, dict[str, int]] = field(default_factory=dict)
    curve: list[list[float]] = field(default_factory=list)  # [bin start, viewers active] for the recap timeline
    notes: list[str] = field(default_factory=list)


@dataclass
class EventsOutcome:
    """What `load_events` found for one replay: the events, or why there are none."""

    source: str | None = None  # the file read
    events: list[Event] = field(default_factory=list)
    error: str | None = None  # one line, for the manifest's warnings

    def summary(self) -> dict[str, Any]:
        return {"source": self.source, "events": len(self.events), "error": self.error}


def clock(seconds: float) -> str:
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


# --- reading -----------------------------------------------------------------------------

_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)$")


def parse_time(value: Any) -> float:
    """Seconds (`252`, `252.5`) or a clock time (`4:12`, `00:04:12`, `1:02:03.5`)."""
    if isinstance(value, bool):
        raise ValueError(f"time {value!r} is not a number of seconds or HH:MM:SS")
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        text = str(value).strip()
        match = _CLOCK.match(text)
        if match:
            hours, minutes, secs = match.groups()
            if int(minutes) >= 60 or float(secs) >= 60:
                raise ValueError(f"time {text!r} has minutes or seconds over 59")
            seconds = int(hours or 0) * 3600 + int(minutes) * 60 + float(secs)
        else:
            try:
                seconds = float(text)
            except ValueError:
                raise ValueError(f"time {text!r} is not a number of seconds or HH:MM:SS") from None
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"time {value!r} is not a time in the replay")
    return seconds


def _event(row: dict[str, Any]) -> Event:
    if row.get("time") in (None, ""):
        raise ValueError("time is missing")
    kind = str(row.get("kind") or "").strip().lower()
    if kind not in KINDS:
        raise ValueError(f"kind {kind!r} is not one of {', '.join(KINDS)}" if kind else "kind is missing")
    extra = set(row) - {"time", "kind", "text", "user"}
    if extra - {None}:
        raise ValueError(f"unknown field(s) {', '.join(sorted(str(e) for e in extra))}")
    if None in row:  # csv.DictReader puts cells beyond the header under None
        raise ValueError("more cells than the header has")
    return Event(parse_time(row["time"]), kind, str(row.get("text") or ""), str(row.get("user") or "").strip())


def read_events(path: Path) -> list[Event]:
    """Every event of a `.csv` or `.json` file, in time order; EventsError names the file and
    the row (the CSV line, or the JSON list item counted from 1) of the first fault."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise EventsError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise EventsError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if path.suffix.lower() == ".json":
        events = _read_json(path, text)
    elif path.suffix.lower() == ".csv":
        events = _read_csv(path, text)
    else:
        raise EventsError(f"{path}: events must be a .csv or .json file")
    return sorted(events, key=lambda e: e.time)


def _read_csv(path: Path, text: str) -> list[Event]:
    reader = csv.DictReader(text.splitlines(), strict=True)
    try:  # the header is read here: a stray quote in it is a csv.Error too
        header = [name.strip().lower() for name in reader.fieldnames or []]
    except csv.Error as exc:
        raise EventsError(f"{path}: row 1: {exc}") from None
    if "time" not in header or "kind" not in header:
        raise EventsError(f"{path}: row 1: the header must name the columns time,kind,text,user")
    reader.fieldnames = header
    events = []
    try:
        for row in reader:
            try:
                events.append(_event(row))
            except ValueError as exc:
                raise EventsError(f"{path}: row {reader.line_num}: {exc}") from None
    except csv.Error as exc:
        raise EventsError(f"{path}: row {reader.line_num}: {exc}") from None
    return events


def _read_json(path: Path, text: str) -> list[Event]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise EventsError(f"{path}: not valid JSON (line {exc.lineno}): {exc.msg}") from None
    if isinstance(data, dict) and isinstance(data.get("events"), list):
        data = data["events"]
    if not isinstance(data, list):
        raise EventsError(f"{path}: expected a list of events (or {{\"events\": [...]}})")
    events = []
    for number, item in enumerate(data, 1):
        try:
            if not isinstance(item, dict):
                raise ValueError("an event must be an object with time, kind, text, user")
            events.append(_event({str(k).lower(): v for k, v in item.items()}))
        except ValueError as exc:
            raise EventsError(f"{path}: row {number}: {exc}") from None
    return events


def find_events_file(replay: Path) -> Path | None:
    """`<replay>.events.csv` or `<replay>.events.json` beside the replay (`live.mp4` ->
    `live.events.csv`), if there is one."""
    for suffix in (".events.csv", ".events.json"):
        candidate = replay.with_name(replay.stem + suffix)
        if candidate.is_file():
            return candidate
    return None


def load_events(replay: Path, explicit: Path | None = None) -> EventsOutcome:
    """The events of one replay: from `explicit` (`--events FILE`) or the file beside it.
    A malformed file gives no events and `error` (one line) instead of an exception, so the
    replay is still processed."""
    path = explicit or find_events_file(replay)
    if path is None:
        return EventsOutcome()
    try:
        return EventsOutcome(source=str(path), events=read_events(path))
    except EventsError as exc:
        return EventsOutcome(source=str(path), error=f"events not used: {exc}")


# --- buying intent -----------------------------------------------------------------------


def _pattern(phrase: str) -> Phrase:
    words = []
    for word in phrase.split():
        if word == "..":
            words.append(word)
            continue
        folded = "".join(normalize(word.rstrip("*")).split())
        words.append(folded + ("*" if word.endswith("*") else ""))
    return tuple(words)


def intent_table() -> dict[str, dict[str, tuple[Phrase, ...]]]:
    """language -> intent kind (link, price, buy) -> phrases, from each language file's `[intent]`."""
    table = {}
    for code, language in registry.registry().items():
        kinds = language.table("intent")
        table[code] = {kind: tuple(_pattern(p) for p in phrases) for kind, phrases in kinds.items()}
    return table


def comment_intents(text: str, table: dict[str, dict[str, tuple[Phrase, ...]]] | None = None) -> set[tuple[str, str]]:
    """(language, intent kind) pairs a comment expresses ("link?" -> {("en", "link"), ...})."""
    table = table if table is not None else intent_table()
    texts = normalize(text).split()
    kinds = ["number" if t.isdigit() else "word" for t in texts]
    found = set()
    for code, intents in table.items():
        for kind, phrases in intents.items():
            if find_phrases(texts, kinds, phrases):
                found.add((code, kind))
    return found


# --- spikes and lag ----------------------------------------------------------------------


def _viewer(event: Event, index: int) -> str:
    return event.user or f"#anonymous-{index}"


def _counts(events: Sequence[Event], kind: str, bins: int, width: float) -> list[int]:
    """Viewers per bin for one kind: each user once per bin."""
    seen: list[set[str]] = [set() for _ in range(bins)]
    for index, event in enumerate(events):
        if event.kind == kind:
            seen[min(int(event.time // width), bins - 1)].add(_viewer(event, index))
    return [len(s) for s in seen]


def find_spikes(events: Sequence[Event], duration: float, settings: EventSettings | None = None) -> list[Spike]:
    """Runs of bins far above their rolling baseline, per kind, in time order."""
    settings = settings or EventSettings()
    width = settings.bin
    bins = max(1, math.ceil(max(duration, max((e.time for e in events), default=0.0) + 1e-9) / width))
    spikes = []
    for kind in KINDS:
        counts = _counts(events, kind, bins, width)
        if sum(counts) < settings.min_count:
            continue
        overall = sum(counts) / bins
        flagged: list[tuple[int, float, float]] = []
        for i, x in enumerate(counts):
            around = [counts[j] for j in range(max(0, i - settings.window), min(bins, i + settings.window + 1))
                      if abs(j - i) > 1]
            if not around:
                continue
            mid = median(around)
            mad = median(abs(c - mid) for c in around)
            # A quiet room has MAD 0; Poisson's spread (sqrt of the rate) keeps one extra click
            # from being a spike.
            usual = max(mid, overall)
            scale = max(1.4826 * mad, math.sqrt(max(usual, 1.0)))
            z = (x - mid) / scale
            if z >= settings.min_z and x >= settings.min_count and x >= settings.min_ratio * usual:
                flagged.append((i, z, usual))
        for run in _runs(flagged):
            peak = max(run, key=lambda item: counts[item[0]])
            i = peak[0]
            start, end = run[0][0] * width, (run[-1][0] + 1) * width
            first = min(e.time for e in events if e.kind == kind and start <= e.time < end)
            spikes.append(Spike(kind=kind, start=start, end=end, peak=i * width,
                                count=counts[i], baseline=round(peak[2], 3), ratio=round(counts[i] / peak[2], 1),
                                z=round(peak[1], 1), first=round(first, 3)))
    return sorted(spikes, key=lambda s: (s.peak, s.kind))


def _runs(flagged: list[tuple[int, float, float]]) -> list[list[tuple[int, float, float]]]:
    runs: list[list[tuple[int, float, float]]] = []
    for item in flagged:
        if runs and item[0] == runs[-1][-1][0] + 1:
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs


def estimate_lag(mentions: Sequence[Mention], events: Sequence[Event], duration: float,
                 settings: EventSettings | None = None) -> tuple[float, float, str]:
    """(lag seconds, correlation, "data"|"default"): the shift that best lines the times
    products are named up with the rate of comments and carts (Pearson correlation of the
    two series, one-second steps, each smoothed over a few seconds)."""
    settings = settings or EventSettings()
    sure = [m for m in mentions if m.confidence >= 0.75]
    reactions = [e for e in events if e.kind in ("comment", *SALES)]
    seconds = int(math.ceil(duration)) + 1
    if len(sure) < 3 or len(reactions) < 10 or seconds < 30:
        return settings.default_lag, 0.0, "default"
    said = _smooth(_series((m.start for m in sure), seconds))
    room = [0.0] * seconds
    for second, users in _per_second(reactions, seconds).items():
        room[second] = float(len(users))
    room = _smooth(room)
    rs = [_pearson(said[: seconds - lag], room[lag:]) for lag in range(0, int(settings.max_lag) + 1)]
    best = max(range(len(rs)), key=lambda lag: (rs[lag], -lag))
    # The best of forty lags of a room that does not echo the host still correlates a little
    # (0.2 on the steady fixture); a real echo stands out from the other lags as well.
    middle = median(rs)
    spread = 1.4826 * median(abs(r - middle) for r in rs) or 1e-9
    if rs[best] < 0.25 or (rs[best] - middle) / spread < 2.0:
        return settings.default_lag, round(rs[best], 3), "default"
    return float(best), round(rs[best], 3), "data"


def _series(times: Iterable[float], seconds: int) -> list[float]:
    series = [0.0] * seconds
    for t in times:
        series[min(int(t), seconds - 1)] += 1.0
    return series


def _per_second(events: Sequence[Event], seconds: int) -> dict[int, set[str]]:
    users: dict[int, set[str]] = defaultdict(set)
    for index, event in enumerate(events):
        users[min(int(event.time), seconds - 1)].add(_viewer(event, index))
    return users


def _smooth(series: list[float], radius: int = 3) -> list[float]:
    weights = [math.exp(-0.5 * (k / (radius / 1.5)) ** 2) for k in range(-radius, radius + 1)]
    out = []
    for i in range(len(series)):
        total = 0.0
        for k, w in zip(range(-radius, radius + 1), weights):
            if 0 <= i + k < len(series):
                total += w * series[i + k]
        out.append(total)
    return out


def _pearson(a: list[float], b: list[float]) -> float:
    n = min(len(a), len(b))
    if n < 3:
        return 0.0
    ma, mb = sum(a[:n]) / n, sum(b[:n]) / n
    cov = sum((x - ma) * (y - mb) for x, y in zip(a[:n], b[:n]))
    va = sum((x - ma) ** 2 for x in a[:n])
    vb = sum((y - mb) ** 2 for y in b[:n])
    return cov / math.sqrt(va * vb) if va > 0 and vb > 0 else 0.0


# --- the signals ---------------------------------------------------------------------------


def live_signals(highlights: Sequence[Highlight], mentions: Sequence[Mention], events: Sequence[Event],
                 duration: float, product_names: dict[str, str] | None = None,
                 settings: EventSettings | None = None) -> EventSignals:
    """Score boosts (with reasons) for `highlights`, the selection's presentations, and
    proposed highlights for stretches that sold strongly with too few words for a clip.

    `mentions` are the replay's product mentions, `events` the live room's (`load_events`),
    `duration` the replay's seconds, `product_names` catalog id -> name for the reasons.
    Pure: nothing is read or written; the caller adds each `Boost.amount` to the score of
    `highlights[boost.index]`, appends its reasons, and ranks the proposals with the rest."""
    settings = settings or EventSettings()
    names = product_names or {}
    signals = EventSignals()
    late = [e for e in events if e.time > duration]
    if late:  # a clock that ran on after the replay ended (or another replay's file)
        signals.notes.append(f"{len(late)} event(s) after the replay's end ({clock(duration)}) left out")
        events = [e for e in events if e.time <= duration]
    if not events:
        return signals
    signals.lag, signals.lag_correlation, signals.lag_from = estimate_lag(mentions, events, duration, settings)
    signals.spikes = find_spikes(events, duration, settings)
    signals.curve = _curve(events, duration, settings.bin)
    lag = signals.lag
    windows = [(h.start + lag, h.end + lag) for h in highlights]

    boosts: dict[int, Boost] = {}
    strongest: dict[tuple[int, str], Spike] = {}
    orphans: list[Spike] = []
    for spike in signals.spikes:
        owner = _owner(windows, spike.peak, settings.grace)
        if owner is None:
            if spike.kind in SALES:
                orphans.append(spike)
            continue
        key = (owner, spike.kind)
        if key not in strongest or spike.ratio > strongest[key].ratio:
            strongest[key] = spike
    for (owner, kind), spike in sorted(strongest.items(), key=lambda item: (item[0][0], item[1].peak)):
        boost = boosts.setdefault(owner, Boost(owner, 0.0))
        boost.amount += settings.spike_boost.get(kind, 0.0)
        boost.reasons.append(spike.reason)

    table = intent_table()
    askers: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    per_language: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for index, event in enumerate(events):
        if event.kind != "comment" or not event.text:
            continue
        found = comment_intents(event.text, table)
        if not found:
            continue
        viewer = _viewer(event, index)
        codes = {code for code, _kind in found}
        for code, kind in found:
            # "link?" is every Latin-script language's: counted under "*", not eight times
            per_language[code if len(codes) == 1 else "*"][kind].add(viewer)
        owner = _owner(windows, event.time, settings.grace)
        if owner is not None:
            for _code, kind in found:
                askers[owner][kind].add(viewer)  # a viewer asking 30 times is one viewer
    signals.intent = {code: {kind: len(v) for kind, v in kinds.items()} for code, kinds in per_language.items()}
    for owner, kinds in sorted(askers.items()):
        for kind in INTENT_PHRASES:
            viewers = len(kinds.get(kind, ()))
            if viewers < settings.intent_viewers:
                continue
            boost = boosts.setdefault(owner, Boost(owner, 0.0))
            boost.amount += settings.intent_boost * (2 if viewers >= 10 else 1)
            boost.reasons.append(f"{viewers} viewers {INTENT_PHRASES[kind]}")
    signals.boosts = [boosts[i] for i in sorted(boosts)]
    for boost in signals.boosts:
        boost.amount = round(boost.amount, 3)

    taken = [(h.start, h.end) for h in highlights]
    for spike in orphans:
        made = _owner([(p.start + lag, p.end + lag) for p in signals.proposals], spike.peak, settings.grace)
        if made is not None:  # a purchase spike right after the carts: the same stretch sold
            earlier = signals.proposals[made]
            earlier.score = round(earlier.score + settings.spike_boost.get(spike.kind, 0.0), 3)
            earlier.reasons.insert(-1, spike.reason)
            continue
        proposal = _propose(spike, mentions, lag, duration, taken, names, settings)
        if isinstance(proposal, str):
            signals.notes.append(proposal)
            continue
        signals.proposals.append(proposal)
        taken.append((proposal.start, proposal.end))
    return signals


def apply_signals(highlights: Sequence[Highlight], signals: EventSignals) -> list[Highlight]:
    """The highlights with their boosts added (score and reasons) and the proposals joined,
    in time order; new records, the given ones are left as they were.  The selection ranks
    and trims the result as it does its own (proposals never overlap a presentation)."""
    boosted = [Highlight(h.start, h.end, list(h.products), h.score, list(h.reasons)) for h in highlights]
    for boost in signals.boosts:
        target = boosted[boost.index]
        target.score = round(target.score + boost.amount, 3)
        target.reasons.extend(boost.reasons)
    boosted += [Highlight(p.start, p.end, list(p.products), p.score, list(p.reasons)) for p in signals.proposals]
    return sorted(boosted, key=lambda h: h.start)


def _owner(windows: list[tuple[float, float]], t: float, grace: float) -> int | None:
    for i, (start, end) in enumerate(windows):
        if start <= t < end:
            return i
    for i, (_start, end) in enumerate(windows):
        if end <= t < end + grace:
            return i
    return None


def _propose(spike: Spike, mentions: Sequence[Mention], lag: float, duration: float,
             taken: list[tuple[float, float]], names: dict[str, str], settings: EventSettings) -> Highlight | str:
    """A highlight around the product named last before the room started buying."""
    said_at = spike.start - lag
    before = [m for m in mentions if said_at - settings.lookback <= m.start <= said_at + settings.bin
              and m.confidence >= 0.75]
    if not before:
        return f"{spike.reason}: no product named in the {settings.lookback:.0f} s before it, no clip proposed"
    product = before[-1].product
    own = [m for m in before if m.product == product]
    start = max(0.0, own[0].start - 2.0)
    end = min(duration, max(own[-1].end, spike.end - lag) + 3.0)
    if end - start < settings.min_clip:
        end = min(duration, start + settings.min_clip)
        start = max(0.0, end - settings.min_clip)
    end = min(end, start + settings.max_clip)
    for low, high in taken:  # never over a presentation the words already gave a clip
        if low < end and start < high:
            if low <= start:
                start = high
            else:
                end = low
    if end - start < settings.min_clip / 2:
        return f"{spike.reason}: the stretch before it is already a clip's"
    name = names.get(product, product)
    reasons = [f"names {name} {len(own)}x", spike.reason, "proposed from the live room: few words, strong sales"]
    score = round(sum(m.confidence for m in own) + settings.spike_boost.get(spike.kind, 0.0), 3)
    return Highlight(start=round(start, 3), end=round(end, 3), products=[product], score=score, reasons=reasons)


def _curve(events: Sequence[Event], duration: float, width: float) -> list[list[float]]:
    """Viewers doing anything per bin: the activity line the recap timeline draws."""
    bins = max(1, math.ceil(max(duration, max((e.time for e in events), default=0.0) + 1e-9) / width))
    seen: list[set[str]] = [set() for _ in range(bins)]
    for index, event in enumerate(events):
        seen[min(int(event.time // width), bins - 1)].add(_viewer(event, index))
    return [[round(i * width, 3), float(len(s))] for i, s in enumerate(seen)]


def count_by_kind(events: Sequence[Event]) -> dict[str, int]:
    return dict(Counter(e.kind for e in events))


__all__ = ["KINDS", "Boost", "Event", "EventSettings", "EventSignals", "EventsError", "EventsOutcome", "Spike",
           "apply_signals", "clock", "comment_intents", "count_by_kind", "estimate_lag", "find_events_file",
           "find_spikes", "intent_table", "live_signals", "load_events", "parse_time", "read_events"]
