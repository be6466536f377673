"""The labelled calls the judges learn from and are measured on, by who wrote them: the team's own
calls (training material only, never measured) and four outside writers, each measured in turn by
judges fitted without them (tools/leave_one_writer_out.py). Read in place, never copied.

Every call comes as its exact transcript and, where `callqa run` results of its audio are given, as
ASR heard it: the turns of that result, labelled from the truth turns they fall in."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pipeline.evaluate.events import truth_turn_of

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
TEAM = "team"  # the team's own calls: fitted on, never a measured writer
REAL_TEXT = "real text"  # hand-labelled real tweets (tools/real_text.py): fitted on, never a measured writer
FITTED_ONLY = (TEAM, REAL_TEXT)


@dataclass(frozen=True)
class Source:
    """One writer's labelled calls: folders of `<call_id>.truth.json` (and a manifest.csv with the
    people's names, for the outside writers)."""

    name: str
    folders: tuple[Path, ...]


SOURCES = (
    Source(TEAM, (ROOT / "data" / "samples", ROOT / "data" / "labelled", ROOT / "data" / "heldout")),
    Source("writer 1", (SHARED / "labelled-calls",)),  # 16 calls, audio
    Source("writer 2", (SHARED / "labelled-calls-2",)),  # 12 calls, audio
    Source("writer 3", (SHARED / "labelled-text" / "t1",)),  # 30 calls, text (turn times estimated: no latency)
    Source("writer 4", (SHARED / "labelled-text" / "t2",)),  # 30 calls, text
)


@dataclass(frozen=True)
class LabelledCall:
    """One version of one labelled call."""

    call_id: str  # "<call>@asr<n>" for the version heard in the n-th ASR folder
    group: str  # the call, whichever version
    source: str  # who wrote it (Source.name)
    folder: Path  # where its truth file and manifest lie
    truth: dict  # its truth file, as written
    labels: dict  # the truth on this version's turns (the truth itself for the exact transcript)
    heard: dict | None = None  # the `callqa run` result this version is made of; None: the exact transcript
    asr_folder: Path | None = None  # where that result lies


def labelled_calls(sources: tuple[Source, ...] = SOURCES) -> list[LabelledCall]:
    """Every call of `sources` as its exact transcript."""
    calls = []
    for source in sources:
        for folder in source.folders:
            if not folder.is_dir():
                raise SystemExit(f"{folder} is missing: the labelled calls of {source.name} are read there")
            for path in sorted(folder.glob("*.truth.json")):
                truth = json.loads(path.read_text())
                call_id = path.name.removesuffix(".truth.json")
                calls.append(LabelledCall(call_id, call_id, source.name, folder, truth, truth))
    return calls


def asr_versions(folders: list[Path], calls: list[LabelledCall]) -> list[LabelledCall]:
    """The `calls` again, as the pipeline heard them: the turns of their `callqa run` results in
    `folders` (scored ones, whose call id is one of `calls`). Punctuation, words and turn breaks then
    differ as they will on any recording, so the judges learn not to lean on what only an exact
    transcript has (a question mark, a marker word ASR mishears), and are measured on what they will read."""
    text_of = {c.call_id: c for c in calls if c.heard is None}
    versions = []
    for number, folder in enumerate(folders, start=1):
        paths = sorted((folder / "calls").glob("*.json"))
        if not paths:
            raise SystemExit(f"{folder}: no `callqa run` results (calls/*.json) there")
        for path in paths:
            result = json.loads(path.read_text())
            call = text_of.get(result.get("call_id"))
            if call is not None and result.get("status") == "scored":
                versions.append(LabelledCall(f"{call.call_id}@asr{number}", call.group, call.source, call.folder, call.truth,
                                             heard_labels(call.truth, result["turns"]), result, folder))
    return versions


def heard_labels(truth: dict, heard: list[dict]) -> dict:
    """`truth`'s labels moved onto the `heard` turns: a heard turn carries the labels of the truth turn
    it falls in (every piece of a cue turn is a cue turn; the first piece of an acknowledging, recap or
    closing turn is that turn)."""
    truth_turns = truth["turns"]
    pieces: dict[int, list[int]] = {}
    for turn in heard:
        if turn["speaker"] in ("agent", "customer"):
            pieces.setdefault(truth_turn_of(turn, truth_turns, turn["speaker"]), []).append(turn["id"])
    first = {t: ids[0] for t, ids in pieces.items()}
    cues, acknowledgements = [], []
    for cue in truth["cues"]:
        for piece in pieces.get(cue["turn"], []):
            cues.append({**cue, "id": f"{cue['id']}.{piece}", "turn": piece})
            acknowledgements += [{"cue": f"{cue['id']}.{piece}", "turn": first[a["turn"]]}
                                 for a in truth["acknowledgements"] if a["cue"] == cue["id"] and a["turn"] in first]
    return {"turns": [{k: t[k] for k in ("id", "speaker", "start", "end", "text")} for t in heard], "cues": cues,
            "acknowledgements": acknowledgements, "recaps": [first[t] for t in truth["recaps"] if t in first],
            "closing_actions": [first[t] for t in truth["closing_actions"] if t in first]}


def outside_writers(calls) -> list[str]:
    """The writers of `calls` (LabelledCall or CallExamples) other than the sources only fitted on, in order
    of first appearance."""
    return list(dict.fromkeys(c.source for c in calls if c.source not in FITTED_ONLY))
