"""The one place that orders the stages of one call:

    load → voice activity → transcription → diarization (mono) → roles → turns → conversation
         → prosody → tone → behaviours → score

A transcript (JSON or WebVTT) instead of audio is loaded with its speakers and turns, and skips the
stages that need sound (voice activity to diarization, and prosody).

Each stage is a plain function over the dataclasses of models.py. Every stage runs through `_Stages`,
which times it (the result's `timings`), logs it (`--verbose`) and reports it to the caller's hook
(`hook(step, artefact, call_id=…)`, pyannote's style). Batches of calls are run by batch.py."""
from __future__ import annotations

import logging
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .behaviours.acknowledge import find_acknowledgements
from .behaviours.checks import find_closing, find_name_uses, find_recaps, learn_customer_name, summarize
from .behaviours.conduct import find_apologies, find_conduct
from .behaviours.cues import find_cues
from .behaviours.judge import Judge
from .behaviours.sentences import split_sentences
from .bundle import ModelBundle
from .errors import QAError
from .models import AsrInfo, Audio, Behaviours, CallResult, CallSpec, SpeakerTrack, Turn
from .reports.redact import redact_document
from .reports.score import score_call
from .reports.scorecard import Scorecard
from .results import (call_document, call_path, event_document, failed_document, manifest_fields, score_document,
                      turn_from_document, write_json)
from .speech.audio import load_audio
from .speech.conversation import measure_conversation
from .speech.diarize import diarize, write_rttm
from .speech.roles import assign_roles
from .speech.transcribe import channel_tracks
from .speech.transcript import is_transcript, load_transcript
from .speech.turns import build_turns
from .speech.vad import speech_activity
from .voice.prosody import turn_features
from .voice.tone import assess_voice

logger = logging.getLogger("callqa")

# hook(step, artefact, call_id=…): progress reported to the caller instead of printed here.
Hook = Callable[..., None]


class _Stages:
    """Runs each stage of one call with one timer, one log line and one hook call."""

    def __init__(self, call_id: str, hook: Hook | None):
        self.call_id = call_id
        self.hook = hook
        self.timings: dict[str, float] = {}

    def __call__(self, step: str, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        artefact = function(*args, **kwargs)
        seconds = time.perf_counter() - started
        self.timings[step] = self.timings.get(step, 0.0) + seconds
        logger.info("%s: %s took %.2f s", self.call_id, step, seconds)
        if self.hook is not None:
            self.hook(step, artefact, call_id=self.call_id)
        return artefact


def analyse_call(spec: CallSpec, models: ModelBundle, *, scorecard: Scorecard | None = None, hook: Hook | None = None,
                 rttm_dir: str | Path | None = None) -> CallResult:
    """Every stage over one call, and its score when a scorecard is given. Raises QAError when the
    input cannot be used."""
    options = models.options
    stage = _Stages(spec.call_id, hook)
    diarization = None
    if is_transcript(spec.path):  # a chat or another recorder's transcript: every stage that needs no audio
        transcript = stage("load", load_transcript, spec.path)
        audio = Audio(transcript.path, transcript.sha256, transcript.duration, 0, 0, np.zeros((0, 0), dtype=np.float32))
        tracks, method = list(transcript.tracks), "transcript"
    else:
        audio = stage("load", load_audio, spec.path)
        stereo = audio.channels > 1 and (spec.agent_channel is not None or audio.channels == 2)
        method = "channel" if stereo else "diarization"
        if stereo:
            activity = stage("vad", lambda: [speech_activity(audio, channel, options.vad) for channel in range(audio.channels)])
            tracks = stage("transcribe", channel_tracks, audio, activity, models.transcriber, models.transcriber.hot_words(spec))
        else:
            activity = stage("vad", speech_activity, audio, None, options.vad)
            words = stage("transcribe", models.transcriber.words, audio, activity.speech, hot_words=models.transcriber.hot_words(spec))
            diarization = stage("diarize", diarize, audio, activity, words, models.diarizer, speakers=options.diarization.speakers)
            tracks = list(diarization.tracks)
    roles = stage("roles", assign_roles, tracks, spec, method=method, options=options.roles)
    turns = stage("turns", build_turns, [w for track in tracks for w in track.words], roles, options.turns)
    stats, interruptions = stage("conversation", measure_conversation, turns, audio.duration, options.conversation)
    features = stage("prosody", turn_features, audio, turns, _own_channels(tracks, roles.role), options.prosody) if audio.channels else {}
    prosody = stage("tone", assess_voice, turns, features, models.arousal, options.tone)
    behaviours = stage("behaviours", find_behaviours, turns, spec, prosody.arousal, models)
    by_role = None if diarization is None else tuple((start, end, roles.role(label)) for start, end, label in diarization.segments)
    if by_role is not None and rttm_dir:
        write_rttm(by_role, Path(rttm_dir) / f"{spec.call_id}.rttm", spec.call_id)
    asr = options.asr
    result = CallResult(
        spec=spec,
        audio=audio,
        roles=roles,
        turns=tuple(turns),
        events=behaviours.events + tuple(interruptions),
        conversation=stats,
        checks=behaviours.checks,
        prosody=prosody,
        asr=AsrInfo(asr.model, asr.device, asr.compute_type, asr.beam_size),
        timings=stage.timings,
        diarization=by_role,
    )
    if scorecard is None:
        return result
    # the score reads the result document, as `callqa rescore` does from a stored one
    return replace(result, score=stage("score", score_call, call_document(result), scorecard))


def _own_channels(tracks: list[SpeakerTrack], role_of: Callable[[str], str]) -> dict[str, int]:
    """Role → the channel that is theirs alone (stereo recordings)."""
    return {role_of(t.speaker): t.channel for t in tracks if t.channel is not None}


def find_behaviours(turns: list[Turn], spec: CallSpec, arousal: dict[int, float | None], models: ModelBundle) -> Behaviours:
    """The behaviour stages in order: cues, apologies, acknowledgements (which read both), name use,
    recap, closing and conduct; and the call's summary of them."""
    options = models.options
    sentences_wanted = options.cues.sentence_model or options.acknowledgements.sentence_model or options.checks.recap_sentence_model
    encoder = models.encoder if sentences_wanted else None
    if encoder is not None:  # one batch per call; the stages below look the sentences up
        encoder.prepare([s for turn in turns for s in split_sentences(turn.text)])
    cue_options, ack_options, check_options = options.cues, options.acknowledgements, options.checks

    def judge(name: str, wanted: bool) -> Judge | None:  # a stage weighs its signals alone when it has none
        return models.judge(name) if wanted else None

    cues = find_cues(turns, arousal=arousal, options=cue_options,
                     classifier=models.classifier("customer_sentences") if cue_options.sentence_model else None,
                     judge=judge("cue", cue_options.judge))
    apologies = find_apologies(turns)
    acknowledgements = find_acknowledgements(
        turns, cues, apologies, ack_options,
        classifier=models.classifier("agent_sentences") if ack_options.sentence_model else None,
        judge=judge("acknowledgement", ack_options.judge))
    customer_name = learn_customer_name(turns, spec.customer_name, spec.agent_name)
    name_uses, names = find_name_uses(turns, customer_name, check_options, agent_name=spec.agent_name)
    recaps = find_recaps(turns, check_options, encoder=encoder, judge=judge("recap", check_options.judge))
    closing = find_closing(turns, check_options, judge=judge("closing", check_options.judge))
    checks = summarize(cues, acknowledgements, apologies, names, recaps, closing)
    events = [*cues, *acknowledgements, *apologies, *name_uses, *recaps, *closing, *find_conduct(turns)]
    return Behaviours(tuple(sorted(events, key=lambda e: (e.start, e.id))), checks)


def analyse_and_save(spec: CallSpec, models: ModelBundle, out: str | Path, *, scorecard: Scorecard | None = None,
                     fingerprint: str = "", hook: Hook | None = None, rttm_dir: str | Path | None = None,
                     redact: bool = False) -> dict:
    """Analyse one call and write its document; a failure is written as a failed document, never raised.
    `fingerprint` (model, options, phrase lists) is stored so that a re-run can skip the call; with
    `redact`, personal data is masked in the document (scored first, on what was said)."""
    try:
        if spec.problem:
            raise QAError(spec.problem)
        document = call_document(analyse_call(spec, models, scorecard=scorecard, hook=hook, rttm_dir=rttm_dir))
        if redact:
            document = redact_document(document, name_similarity=models.options.checks.name_similarity)
        document["fingerprint"] = fingerprint
    except QAError as error:
        document = failed_document(spec, str(error))
    except Exception as error:  # one bad file must never stop the batch
        logger.exception("call %s failed", spec.call_id)
        document = failed_document(spec, f"internal error while scoring: {type(error).__name__}: {error}")
    write_json(call_path(out, spec.call_id), document)
    return document


# Events that the conversation measures find, not the behaviour stages: kept as stored when those run again.
CONVERSATION_EVENTS = ("interruption",)


def rerun_text_stages(document: dict[str, Any], spec: CallSpec, models: ModelBundle, *,
                      scorecard: Scorecard | None = None) -> dict[str, Any]:
    """`document` with the manifest fields of `spec`, and the stages that read the people's names run
    again over its stored turns: the behaviours (the customer's name feeds name use, the agent's keeps
    it from being learned as the customer's) and the score. No audio is decoded: turns, roles,
    conversation measures, prosody and interruptions stay as stored. The turns must be unmasked
    (a document written without --redact)."""
    turns = [turn_from_document(t) for t in document.get("turns", [])]
    arousal = {int(i): f.get("arousal") for i, f in ((document.get("prosody") or {}).get("turns") or {}).items()}
    stage = _Stages(spec.call_id, None)
    behaviours = stage("behaviours", find_behaviours, turns, spec, arousal, models)
    kept = [e for e in document.get("events", []) if e.get("type") in CONVERSATION_EVENTS]
    updated = {**document, **manifest_fields(spec), "events": [event_document(e) for e in behaviours.events] + kept,
               "checks": asdict(behaviours.checks)}
    if scorecard is not None:
        updated["score"] = score_document(stage("score", score_call, updated, scorecard))
    return updated
