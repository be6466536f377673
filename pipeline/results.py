"""CallResult ↔ the per-call JSON document of shared/spec/results.md."""
from __future__ import annotations

from dataclasses import asdict
from typing import Any

from .models import CallResult, CallSpec, Event, Turn

SCHEMA_VERSION = 1


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


def event_document(event: Event) -> dict[str, Any]:
    document = {"id": event.id, "type": event.type, "turn": event.turn, "start": _t(event.start), "end": _t(event.end)}
    if event.text:
        document["text"] = event.text
    document.update(event.data)
    return document


def _people(spec: CallSpec) -> dict[str, Any]:
    return {"agent": {"id": spec.agent_id, "name": spec.agent_name}, "customer": {"name": spec.customer_name}}


def scored_document(result: CallResult) -> dict[str, Any]:
    audio, spec, stats = result.audio, result.spec, result.conversation
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
        "warnings": [] if result.turns else ["no speech found in the recording: nothing to score"],
        "turns": [turn_document(t) for t in result.turns],
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
        "checks": result.checks,
        "prosody": result.prosody,
        "asr": result.asr,
        "timings": {k: round(v, 3) for k, v in result.timings.items()},
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
