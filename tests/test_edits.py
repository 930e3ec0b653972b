"""The ledger that keeps people's edits safe from re-runs, and the append-only edit record."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from highlights.edits import (
    EDITED_DIRECTLY,
    GENERATED,
    LEDGER,
    MISSING,
    REVIEWED,
    EditRecord,
    edit_state,
    is_human_edited,
    read_edits,
    record_edits,
    write_generated,
    write_human,
)

ROOT = Path(__file__).resolve().parent.parent


def test_generated_file_is_rewritten_until_a_person_edits_it(tmp_path):
    target = tmp_path / "replay.ru.srt"
    assert edit_state(target).state == MISSING
    assert write_generated(target, "1\n00:00:01,000 --> 00:00:02,000\nПривет\n")
    assert edit_state(target).state == GENERATED
    assert write_generated(target, "1\n00:00:01,000 --> 00:00:02,500\nПривет всем\n")
    assert "Привет всем" in target.read_text(encoding="utf-8")

    target.write_text("1\n00:00:01,000 --> 00:00:02,500\nВсем привет!\n", encoding="utf-8")
    state = edit_state(target)
    assert state.state == EDITED_DIRECTLY and state.human and state.at
    assert not write_generated(target, "machine text\n")
    assert target.read_text(encoding="utf-8").endswith("Всем привет!\n")


def test_a_file_the_ledger_does_not_know_is_a_persons(tmp_path):
    target = tmp_path / "brought.srt"
    target.write_text("1\n00:00:00,000 --> 00:00:01,000\nmine\n", encoding="utf-8")
    assert is_human_edited(target)
    assert not write_generated(target, "ours\n")
    assert target.read_text(encoding="utf-8").endswith("mine\n")


def test_a_run_killed_between_the_file_and_the_ledger_claims_its_file_on_resume(tmp_path):
    """Killed after the subtitle file was written and before the ledger recorded it: the next
    run finds exactly what it would write, in no ledger, and records it as generated (the
    uninterrupted run's ledger); a different text there stays a person's."""
    target = tmp_path / "replay.en.vtt"
    code = ("import sys; from pathlib import Path; from highlights.edits import write_generated; "
            "write_generated(Path(sys.argv[1]), 'WEBVTT\\n\\n00:00.000 --> 00:01.000\\nours\\n')")
    killed = subprocess.run([sys.executable, "-c", code, str(target)], cwd=ROOT,
                            env={**os.environ, "HIGHLIGHTS_KILL_AT": f"ledger:{target.name}"})
    assert killed.returncode == -signal.SIGKILL
    assert target.is_file() and not (tmp_path / ".generated.json").exists()
    assert write_generated(target, "WEBVTT\n\n00:00.000 --> 00:01.000\nours\n")
    assert edit_state(target).state == GENERATED
    other = tmp_path / "replay.fr.vtt"
    other.write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nà moi\n", encoding="utf-8")
    assert not write_generated(other, "WEBVTT\n\n00:00.000 --> 00:01.000\nnôtre\n")
    assert is_human_edited(other)


def test_reviewed_file_stays_protected_and_says_who_and_how(tmp_path):
    target = tmp_path / "clip.ru.vtt"
    write_generated(target, "WEBVTT\n\n00:00.000 --> 00:01.000\nмашина\n")
    write_human(target, "WEBVTT\n\n00:00.000 --> 00:01.000\nчеловек\n", by="Anna", via="review import of a.xlf")
    state = edit_state(target)
    assert (state.state, state.by, state.via) == (REVIEWED, "Anna", "review import of a.xlf")
    assert state.at and state.at.endswith("+00:00")
    # Its content is what highlights wrote, and still no re-run may replace it.
    assert not write_generated(target, "WEBVTT\n\n00:00.000 --> 00:01.000\nмашина\n")
    assert "человек" in target.read_text(encoding="utf-8")
    # A direct edit after the review is a person's edit too.
    target.write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nчеловек!\n", encoding="utf-8")
    assert edit_state(target).state == EDITED_DIRECTLY


def test_ledgers_of_earlier_versions_still_protect(tmp_path):
    import hashlib

    target = tmp_path / "old.srt"
    target.write_text("generated\n", encoding="utf-8")
    (tmp_path / LEDGER).write_text(json.dumps({"old.srt": hashlib.sha256(b"generated\n").hexdigest()}))
    assert edit_state(target).state == GENERATED
    assert write_generated(target, "regenerated\n")
    target.write_text("edited\n", encoding="utf-8")
    assert not write_generated(target, "again\n")


def _record(cue: int, new: str) -> EditRecord:
    return EditRecord(at="2026-01-01T00:00:00+00:00", file="subtitles/r.ru.srt", language="ru", cue=cue,
                      start=1.0, end=2.0, old="было", new=new, source="review import of r.ru.xlf", by="Anna")


def test_edit_record_is_appended_never_rewritten(tmp_path):
    record_edits(tmp_path, [_record(1, "стало")])
    first = (tmp_path / "edits.jsonl").read_bytes()
    record_edits(tmp_path, [_record(2, "ещё"), _record(3, "и ещё")])
    data = (tmp_path / "edits.jsonl").read_bytes()
    assert data.startswith(first)
    assert [r.cue for r in read_edits(tmp_path)] == [1, 2, 3]
    assert read_edits(tmp_path)[1].new == "ещё"
    record_edits(tmp_path, [])
    assert (tmp_path / "edits.jsonl").read_bytes() == data


def test_a_torn_last_line_costs_only_itself(tmp_path):
    record_edits(tmp_path, [_record(1, "стало")])
    with open(tmp_path / "edits.jsonl", "ab") as handle:
        handle.write(b'{"at": "2026-01-01T00:00:01+00:00", "file": "subt')  # a write cut short
    record_edits(tmp_path, [_record(2, "после")])
    records = read_edits(tmp_path)
    assert [(r.cue, r.new) for r in records] == [(1, "стало"), (2, "после")]
