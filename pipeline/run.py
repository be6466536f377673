"""Stage order for one call, and a batch of calls with a result or a recorded failure for each."""
from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .audio import load_audio
from .config import PipelineOptions
from .conversation import measure_conversation
from .diarize import channel_tracks, make_diarizer, mono_tracks, write_rttm
from .errors import QAError
from .behaviours import find_behaviours
from .models import CUSTOMER, CallResult, CallSpec
from .prosody import rise_over_baseline, turn_loudness
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

    def __init__(self, options: PipelineOptions | dict | None = None, *, rttm_dir: str | Path | None = None):
        self.options = PipelineOptions.of(options)
        self.transcriber = Transcriber(self.options.asr, self.options.vad)
        self._diarizer = None  # loaded on the first mono call
        self.rttm_dir = Path(rttm_dir) if rttm_dir else None

    @property
    def diarizer(self):
        if self._diarizer is None:
            self._diarizer = make_diarizer(self.options.diarization, device=self.options.asr.device)
        return self._diarizer

    def score(self, spec: CallSpec) -> CallResult:
        timings: dict[str, float] = {}
        with _timed(timings, "load"):
            audio = load_audio(spec.path)
        stereo = audio.channels > 1 and (spec.agent_channel is not None or audio.channels == 2)
        if stereo:
            with _timed(timings, "transcribe"):
                tracks, diarization = channel_tracks(audio, self.transcriber), None
        else:  # mono_tracks times its transcribe and diarize parts itself
            tracks, diarization = mono_tracks(audio, self.transcriber, self.diarizer,
                                              speakers=self.options.diarization.speakers, timings=timings)
        with _timed(timings, "turns"):
            roles = assign_roles(tracks, spec, method="channel" if stereo else "diarization", options=self.options.roles)
            turns = build_turns([w for track in tracks for w in track.words], roles, self.options.turns)
            stats, interruptions = measure_conversation(turns, audio.duration, self.options.conversation)
        with _timed(timings, "prosody"):
            loudness = turn_loudness(audio, turns, roles)
        with _timed(timings, "behaviours"):
            events, checks = find_behaviours(turns, spec, rise_over_baseline(turns, loudness, CUSTOMER), self.options)
        if diarization is not None and self.rttm_dir:
            write_rttm(diarization.rename_labels(roles.mapping), self.rttm_dir / f"{spec.call_id}.rttm", spec.call_id)
        asr = self.transcriber.options
        return CallResult(
            spec=spec,
            audio=audio,
            roles=roles,
            turns=tuple(turns),
            events=tuple(events + interruptions),
            checks=checks,
            conversation=stats,
            asr={"model": asr.model, "device": asr.device, "compute_type": asr.compute_type, "beam_size": asr.beam_size},
            timings=timings,
            diarization=None if diarization is None else tuple(
                (segment.start, segment.end, roles.role(label)) for segment, _, label in diarization.itertracks(yield_label=True)),
        )


@contextmanager
def _timed(timings: dict[str, float], stage: str):
    started = time.perf_counter()
    yield
    timings[stage] = time.perf_counter() - started


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
              *, hook: Hook | None = None, rttm: bool = False) -> BatchSummary:
    """Score every call in `specs` into `out/calls/`, and write `out/summary.json`."""
    started = time.perf_counter()
    summary = BatchSummary()
    hook = hook or (lambda *args, **kwargs: None)
    scorer = Scorer(options, rttm_dir=Path(out) / "rttm" if rttm else None)
    if rttm:
        scorer.rttm_dir.mkdir(parents=True, exist_ok=True)
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
