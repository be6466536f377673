"""The behaviour stages in order, over one call's turns: cues, apologies, acknowledgements, name use,
recap, closing and conduct. Returns the events and a per-call summary of the checks."""
from __future__ import annotations

from typing import Any

from .acknowledge import find_acknowledgements
from .checks import find_closing, find_name_uses, find_recaps, learn_customer_name
from .conduct import find_apologies, find_conduct
from .config import PipelineOptions
from .cues import find_cues
from .models import CallSpec, Event, Turn


def find_behaviours(turns: list[Turn], spec: CallSpec, arousal: dict[int, float | None],
                    options: PipelineOptions) -> tuple[list[Event], dict[str, Any]]:
    if options.cues.sentence_model or options.acknowledgements.sentence_model or options.checks.recap_sentence_model:
        from .sentences import shared_encoder, split_sentences

        shared_encoder().prepare([s for turn in turns for s in split_sentences(turn.text)])  # one batch per call
    cues = find_cues(turns, arousal=arousal, options=options.cues)
    apologies = find_apologies(turns)
    acknowledgements = find_acknowledgements(turns, cues, apologies, options.acknowledgements)
    answered = {a.data["cue"]: a for a in acknowledgements}
    customer_name = learn_customer_name(turns, spec.customer_name, spec.agent_name)
    name_uses, names = find_name_uses(turns, customer_name, options.checks)
    recaps = find_recaps(turns, options.checks)
    closing = find_closing(turns, options.checks)
    latencies = [a.data["latency_s"] for a in acknowledgements]
    checks = {
        "cues": len(cues),
        "cues_acknowledged": len(answered),
        "cues_missed": [c.id for c in cues if c.id not in answered],
        "median_ack_latency_s": round(sorted(latencies)[len(latencies) // 2], 2) if latencies else None,
        "name": names,
        "recap": bool(recaps),
        "closing_action": any(e.type == "closing_action" for e in closing),
        "further_help_offered": any(e.type == "further_help" for e in closing),
        "apologies": {"genuine": sum(a.data["genuine"] for a in apologies), "not_genuine": sum(not a.data["genuine"] for a in apologies)},
    }
    events = cues + acknowledgements + apologies + name_uses + recaps + closing + find_conduct(turns)
    return sorted(events, key=lambda e: (e.start, e.id)), checks
