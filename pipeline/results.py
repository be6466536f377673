"""Result objects ↔ the per-call JSON documents of docs/results.md, and writing them safely.

`call_document` is the one place that turns a CallResult into its document; `event_from_document`
and `turn_from_document` read documents back (those written before the events were typed too)."""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from .models import EVENT_CLASSES, CallResult, CallSpec, Event, Features, Score, ToneScore, Turn, Word

SCHEMA_VERSION = 1
PRIVATE_MODE = 0o600  # what shows personal data is its owner's alone
_EVENT_BASE = {f.name for f in fields(Event)}


def _t(value: float) -> float:
    return round(float(value), 2)


def turn_document(turn: Turn) -> dict[str, Any]:
    return {
        "id": turn.id,
        "speaker": turn.speaker,
        "start": _t(turn.start),
        "end": _t(turn.end),
        "text": turn.text,
        "words": [{"w": w.text, "start": _t(w.start), "end": _t(w.end), "p": round(w.prob, 2)} for w in turn.words],
    }


def turn_from_document(document: dict[str, Any]) -> Turn:
    speaker = document["speaker"]
    words = tuple(Word(w["w"], w["start"], w["end"], w["p"], speaker) for w in document.get("words", ()))
    return Turn(document["id"], speaker, document["start"], document["end"], words)


def event_document(event: Event) -> dict[str, Any]:
    """The event's place and words, then the fields of its type; a field that is None is left out."""
    document = {"id": event.id, "type": event.type, "turn": event.turn, "start": _t(event.start), "end": _t(event.end)}
    if event.text:
        document["text"] = event.text
    for item in fields(event):
        value = getattr(event, item.name)
        if item.name not in _EVENT_BASE and value is not None:
            document[item.name] = list(value) if isinstance(value, tuple) else value
    return document


def event_from_document(document: dict[str, Any]) -> Event:
    """The typed event of a document's event; fields the type does not know are ignored."""
    cls = EVENT_CLASSES.get(document["type"], Event)
    known = {f.name for f in fields(cls)}
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in document.items() if k in known}
    return cls(**values)


def features_document(features: Features) -> dict[str, Any]:
    return {k: (round(v, 2) if isinstance(v, float) else [round(x, 1) for x in v] if isinstance(v, tuple) else v)
            for k, v in asdict(features).items()}


def _tone_document(score: ToneScore | None) -> dict[str, Any] | None:
    return None if score is None else {"score": score.score, **score.basis}


def _people(spec: CallSpec) -> dict[str, Any]:
    return {"agent": {"id": spec.agent_id, "name": spec.agent_name}, "customer": {"name": spec.customer_name}}


def manifest_fields(spec: CallSpec) -> dict[str, Any]:
    """What a document holds from the manifest row about the call, not from its audio: the people,
    when it was recorded and its queue. A corrected manifest updates these without decoding again."""
    return {**_people(spec), "recorded_at": spec.recorded_at, "queue": spec.queue}


def call_document(result: CallResult) -> dict[str, Any]:
    audio, spec, stats, prosody = result.audio, result.spec, result.conversation, result.prosody
    turns = [turn_document(t) for t in result.turns]
    return {
        "call_id": spec.call_id,
        "status": "scored",
        "schema_version": SCHEMA_VERSION,
        "audio": {"path": audio.path, "sha256": audio.sha256, "duration": _t(audio.duration),
                  "channels": audio.channels, "sample_rate": audio.sample_rate},
        **_people(spec),
        "recorded_at": spec.recorded_at,
        "queue": spec.queue,
        "roles": {"method": result.roles.method, "confidence": round(result.roles.confidence, 2),
                  "speakers": result.roles.mapping},
        "warnings": _warnings(turns),
        "turns": turns,
        **({"diarization": [{"start": _t(s), "end": _t(e), "speaker": role} for s, e, role in result.diarization]}
           if result.diarization is not None else {}),
        "events": [event_document(e) for e in result.events],
        "conversation": {
            "talk_time": stats.talk_time,
            "talk_share": stats.talk_share,
            "words_per_minute": stats.words_per_minute,
            "non_talk_time": stats.non_talk_time,
            "silences": [asdict(s) for s in stats.silences],
            "interruptions": stats.interruptions,
        },
        "checks": asdict(result.checks),
        "prosody": {
            "parties": {role: asdict(baseline) for role, baseline in prosody.parties.items()},
            "agent_tone": {name: _tone_document(getattr(prosody.agent_tone, name))
                           for name in ("engagement", "calm", "pace", "adaptation")},
            "turns": {str(i): {**features_document(f), "arousal": prosody.arousal.get(i)} for i, f in prosody.turns.items()},
        },
        "asr": asdict(result.asr),
        "timings": {k: round(v, 3) for k, v in result.timings.items()},
        **({"score": score_document(result.score)} if result.score is not None else {}),
    }


def _warnings(turns: list[dict[str, Any]]) -> list[str]:
    """What a reader of the result must know first: a call the score stage gives no total (agent_spoke)."""
    from .reports.score import agent_spoke

    if not turns:
        return ["no speech found in the recording: nothing to score, no total"]
    if not agent_spoke({"turns": turns}):
        return ["no speech from the agent found: nothing to score the agent on, no total"]
    return []


def score_document(score: Score) -> dict[str, Any]:
    """The call's `score`: each criterion with the event ids of its evidence (`evidence`) and each
    piece of evidence with its times and a note (`evidence_detail`), missing acknowledgements included."""
    return {
        "scorecard": score.scorecard,
        "version": score.version,
        "total": score.total,
        "computed_total": score.computed_total,
        "points": score.points,
        "max": score.max_points,
        "band": score.band,
        "auto_failed": bool(score.auto_failed_by),
        "auto_failed_by": list(score.auto_failed_by),
        "criteria": [
            {**{k: v for k, v in asdict(c).items() if k != "evidence"},
             "evidence": [e["event"] for e in c.evidence if "event" in e], "evidence_detail": list(c.evidence)}
            for c in score.criteria
        ],
    }


def failed_document(spec: CallSpec, error: str) -> dict[str, Any]:
    return {
        "call_id": spec.call_id,
        "status": "failed",
        "schema_version": SCHEMA_VERSION,
        "error": error,
        "audio": {"path": spec.path},
        **_people(spec),
        "recorded_at": spec.recorded_at,
        "queue": spec.queue,
    }


def write_json(path: str | Path, document: Any) -> Path:
    """Write `document` to `path` through a temporary file in the same folder and an atomic rename,
    so a killed run leaves whole files or none."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(document, out, indent=1, ensure_ascii=False)
            out.write("\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def write_whole(out: Path, private: bool, write, suffix: str = "") -> None:
    """Call `write(temporary path)`, then give the file its mode (0600 when `private`, else what the
    umask gives a new file) and rename it onto `out`, replacing an older file and its mode. `suffix`
    ends the temporary name, for writers that choose by extension."""
    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", suffix=f".tmp{suffix}", dir=out.parent)
    os.close(handle)
    try:
        write(temporary)
        umask = os.umask(0)  # read it: os.umask only sets and returns
        os.umask(umask)
        os.chmod(temporary, PRIVATE_MODE if private else 0o666 & ~umask)
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def call_path(out: str | Path, call_id: str) -> Path:
    return Path(out) / "calls" / f"{call_id}.json"


def read_json(path: str | Path) -> Any:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)
