"""Which speaker is the agent and which the customer: a manifest hint, else what each one says."""
from __future__ import annotations

import math
import re
from functools import lru_cache

from rapidfuzz import fuzz

from ..config import RoleOptions
from ..errors import ConfigError
from ..behaviours.lexicon import compile_phrases, load_lexicon
from ..models import AGENT, CUSTOMER, OTHER, ROLES, CallSpec, RoleAssignment, SpeakerTrack


def assign_roles(tracks: list[SpeakerTrack], spec: CallSpec, *, method: str = "channel",
                 options: RoleOptions | dict | None = None) -> RoleAssignment:
    """The manifest's `agent_speaker` or `agent_channel` decides when given; otherwise the speaker whose
    words sound most like an agent is the agent, the one of the rest who says most is the customer,
    and anyone else is `other`. `method` says where the speakers came from (channel or diarization)."""
    options = RoleOptions.of(options)
    labels = [t.speaker for t in tracks]
    if not labels:
        return RoleAssignment({}, method, 0.0)
    if all(label in ROLES for label in labels):  # a transcript that names them agent, customer, other
        return RoleAssignment({label: label for label in labels}, method, 1.0)
    if spec.agent_speaker:
        return _agent_is(spec.agent_speaker, tracks, method, 1.0)
    if spec.agent_channel is not None:
        if f"ch{spec.agent_channel}" not in labels:
            raise ConfigError(
                f"agent_channel {spec.agent_channel} does not exist: the recording has {len(labels)} channel(s)",
                "fix the manifest's agent_channel (0 = first channel)",
            )
        return _agent_is(f"ch{spec.agent_channel}", tracks, method, 1.0)
    scores = agent_scores(tracks, spec, options)
    ranked = sorted(scores, key=scores.get, reverse=True)
    if len(ranked) == 1:
        # One voice: an agent-only recording when it sounds like an agent, else the customer's side.
        role = AGENT if scores[ranked[0]] >= 0 else CUSTOMER
        return RoleAssignment({ranked[0]: role}, method, round(_sigmoid(abs(scores[ranked[0]]) / options.confidence_scale), 2))
    margin = scores[ranked[0]] - scores[ranked[1]]
    return _agent_is(ranked[0], tracks, method, _sigmoid(margin / options.confidence_scale))


def agent_scores(tracks: list[SpeakerTrack], spec: CallSpec, options: RoleOptions) -> dict[str, float]:
    """How much each speaker sounds like the agent (positive) or the customer (negative)."""
    agent_phrases, customer_phrases, introduction = _role_phrases()
    first_speaker = min((t for t in tracks if t.words), key=lambda t: t.words[0].start, default=None)
    scores = {}
    for track in tracks:
        text = " ".join(w.text for w in track.words).lower()
        score = sum(weight * len(p.findall(text)) for p, weight in agent_phrases)
        score -= sum(weight * len(p.findall(text)) for p, weight in customer_phrases)
        for match in introduction.finditer(text):
            name = match.group(match.lastindex)
            if _same_name(name, spec.agent_name, options.name_similarity):
                score += options.name_weight
            if _same_name(name, spec.customer_name, options.name_similarity):
                score -= options.name_weight
        if track is first_speaker:
            score += options.first_speaker_weight
        scores[track.speaker] = score
    return scores


@lru_cache(maxsize=1)
def _role_phrases() -> tuple[list, list, re.Pattern]:
    lexicon = load_lexicon("roles")
    introduction = re.compile(rf"\b{lexicon['self_introduction']}\s+(\w+)")
    return compile_phrases(lexicon["agent"]), compile_phrases(lexicon["customer"]), introduction


def _same_name(heard: str, full_name: str, similarity: float) -> bool:
    """Whether `heard` is the first name of `full_name`, allowing for ASR spelling (Maricos ~ Marcus)."""
    first = full_name.split()[0].lower() if full_name.strip() else ""
    return bool(first) and fuzz.ratio(heard.lower(), first) >= similarity


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def _agent_is(agent: str, tracks: list[SpeakerTrack], method: str, confidence: float) -> RoleAssignment:
    rest = sorted((t for t in tracks if t.speaker != agent), key=lambda t: len(t.words), reverse=True)
    mapping = {agent: AGENT}
    for position, track in enumerate(rest):
        mapping[track.speaker] = CUSTOMER if position == 0 else OTHER
    return RoleAssignment(mapping, method, round(confidence, 2))
