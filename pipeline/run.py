"""Stage order for one call: load → transcribe → diarize → roles → turns → prosody → behaviours.
Batches of calls are run by batch.py."""
from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from pathlib import Path

from .audio import load_audio
from .behaviours import find_behaviours
from .config import PipelineOptions
from .conversation import measure_conversation
from .diarize import channel_tracks, make_diarizer, mono_tracks, write_rttm
from .errors import QAError
from .models import CallResult, CallSpec
from .prosody import party_summary, turn_features
from .results import failed_document, scored_document
from .roles import assign_roles
from .store import call_path, write_json
from .tone import ArousalModel, agent_tone, arousal_by_turn
from .transcribe import Transcriber
from .turns import build_turns

logger = logging.getLogger("callqa")


class Scorer:
    """Scores calls one at a time; loads its models once."""

    def __init__(self, options: PipelineOptions | dict | None = None, *, rttm_dir: str | Path | None = None):
        self.options = PipelineOptions.of(options)
        self.transcriber = Transcriber(self.options.asr, self.options.vad)
        self._diarizer = None  # loaded on the first mono call
        tone_model = self.options.tone.model
        self.arousal_model = ArousalModel.load(tone_model) if tone_model else ArousalModel()
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
            features = turn_features(audio, turns, roles, self.options.prosody)
            arousal = arousal_by_turn(turns, features, self.arousal_model)
            prosody = {
                "parties": {role: party_summary(turns, features, role) for role in sorted({t.speaker for t in turns})},
                "agent_tone": agent_tone(turns, features, arousal, self.options.tone),
                "turns": {str(i): {**f.as_dict(), "arousal": arousal.get(i)} for i, f in features.items()},
            }
        with _timed(timings, "behaviours"):
            events, checks = find_behaviours(turns, spec, arousal, self.options)
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
            prosody=prosody,
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


def score_call(scorer: Scorer, spec: CallSpec, out: str | Path, *, fingerprint: str = "") -> dict:
    """Score one call and write its document; a failure is written as a failed document, never raised.
    `fingerprint` (model, options, phrase lists) is stored so that a re-run can skip the call."""
    try:
        if spec.problem:
            raise QAError(spec.problem)
        document = scored_document(scorer.score(spec))
        document["fingerprint"] = fingerprint
    except QAError as error:
        document = failed_document(spec, str(error))
    except Exception as error:  # one bad file must never stop the batch
        logger.exception("call %s failed", spec.call_id)
        document = failed_document(spec, f"internal error while scoring: {type(error).__name__}: {error}")
    write_json(call_path(out, spec.call_id), document)
    return document
