"""Stage order for one call, and a batch of calls with a result or a recorded failure for each."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .audio import load_audio
from .config import PipelineOptions
from .conversation import measure_conversation
from .diarize import channel_tracks, single_track
from .errors import QAError
from .models import CallResult, CallSpec
from .results import failed_document, scored_document
from .roles import assign_roles
from .store import call_path, write_json
from .transcribe import Transcriber
from .turns import build_turns

logger = logging.getLogger("callqa")

# hook(step, artefact, call_id=…): progress reported to the caller instead of printed here.
Hook = Callable[..., None]


class Scorer:
    """Scores calls one at a time; loads its models once."""

    def __init__(self, options: PipelineOptions | dict | None = None):
        self.options = PipelineOptions.of(options)
        self.transcriber = Transcriber(self.options.asr, self.options.vad)

    def score(self, spec: CallSpec) -> CallResult:
        timings: dict[str, float] = {}
        clock = time.perf_counter()

        def lap(stage: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            timings[stage] = now - clock
            clock = now

        audio = load_audio(spec.path)
        lap("load")
        stereo = audio.channels > 1 and (spec.agent_channel is not None or audio.channels == 2)
        tracks = channel_tracks(audio, self.transcriber) if stereo else single_track(audio, self.transcriber)
        lap("transcribe")
        roles = assign_roles(tracks, spec)
        words = [w for track in tracks for w in track.words]
        turns = build_turns(words, roles, self.options.turns)
        stats, interruptions = measure_conversation(turns, audio.duration, self.options.conversation)
        lap("turns")
        asr = self.transcriber.options
        return CallResult(
            spec=spec,
            audio=audio,
            roles=roles,
            turns=tuple(turns),
            events=tuple(interruptions),
            conversation=stats,
            asr={"model": asr.model, "device": asr.device, "compute_type": asr.compute_type, "beam_size": asr.beam_size},
            timings=timings,
        )


def score_call(scorer: Scorer, spec: CallSpec, out: str | Path) -> dict:
    """Score one call and write its document; a failure is written as a failed document, never raised."""
    try:
        document = scored_document(scorer.score(spec))
    except QAError as error:
        document = failed_document(spec, str(error))
    except Exception as error:  # one bad file must never stop the batch
        logger.exception("call %s failed", spec.call_id)
        document = failed_document(spec, f"internal error while scoring: {type(error).__name__}: {error}")
    write_json(call_path(out, spec.call_id), document)
    return document


@dataclass
class BatchSummary:
    scored: int = 0
    failed: int = 0
    audio_seconds: float = 0.0
    wall_seconds: float = 0.0
    failures: dict[str, str] = field(default_factory=dict)

    @property
    def real_time_factor(self) -> float | None:
        return self.wall_seconds / self.audio_seconds if self.audio_seconds else None

    def as_dict(self) -> dict:
        return {
            "scored": self.scored,
            "failed": self.failed,
            "audio_hours": round(self.audio_seconds / 3600, 4),
            "wall_seconds": round(self.wall_seconds, 2),
            "real_time_factor": None if self.real_time_factor is None else round(self.real_time_factor, 4),
            "failures": self.failures,
        }


def run_batch(specs: list[CallSpec], out: str | Path, options: PipelineOptions | dict | None = None,
              *, hook: Hook | None = None) -> BatchSummary:
    """Score every call in `specs` into `out/calls/`, and write `out/summary.json`."""
    started = time.perf_counter()
    summary = BatchSummary()
    hook = hook or (lambda *args, **kwargs: None)
    scorer = Scorer(options)
    for spec in specs:
        hook("start", spec, call_id=spec.call_id)
        document = score_call(scorer, spec, out)
        if document["status"] == "scored":
            summary.scored += 1
            summary.audio_seconds += document["audio"]["duration"]
        else:
            summary.failed += 1
            summary.failures[spec.call_id] = document["error"]
        hook("done", document, call_id=spec.call_id)
    summary.wall_seconds = time.perf_counter() - started
    write_json(Path(out) / "summary.json", summary.as_dict())
    return summary
