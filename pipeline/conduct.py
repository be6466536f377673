"""How the agent handles the customer: apologies (genuine, non-apology, scripted filler), blame,
assumptions, flat refusals against alternatives, same-side language, agreement."""
from __future__ import annotations

from functools import lru_cache

from .lexicon import compile_phrases, load_lexicon
from .models import AGENT, Event, Turn
from .text import normalize

CONDUCT_TYPES = ("blame", "assumption", "refusal", "alternative", "same_side", "agreement")


@lru_cache(maxsize=1)
def _apology_phrases() -> dict[str, list]:
    lexicon = load_lexicon("apologies")
    return {key: compile_phrases([{"pattern": p} for p in lexicon[key]]) for key in ("markers", "non_apology", "scripted", "ownership")}


@lru_cache(maxsize=1)
def _conduct_phrases() -> dict[str, tuple[str, list]]:
    lexicon = load_lexicon("conduct")
    return {kind: (lexicon[kind]["polarity"], compile_phrases([{"pattern": p} for p in lexicon[kind]["patterns"]])) for kind in CONDUCT_TYPES}


def find_apologies(turns: list[Turn]) -> list[Event]:
    """One apology event per agent turn that apologises. `genuine` is false for a non-apology
    ("sorry you feel that way") or scripted filler ("we apologize for any inconvenience")."""
    phrases = _apology_phrases()
    events = []
    for turn in turns:
        if turn.speaker != AGENT:
            continue
        text = normalize(turn.text)
        if not any(p.search(text) for p, _ in phrases["markers"]):
            continue
        if any(p.search(text) for p, _ in phrases["non_apology"]):
            kind = "non_apology"
        elif any(p.search(text) for p, _ in phrases["scripted"]):
            kind = "scripted"
        else:
            kind = "genuine"
        owns = any(p.search(text) for p, _ in phrases["ownership"])
        events.append(Event(f"p{len(events) + 1}", "apology", turn.id, turn.start, turn.end, turn.text,
                            {"genuine": kind == "genuine", "kind": kind, "owns_problem": owns}))
    return events


def find_conduct(turns: list[Turn]) -> list[Event]:
    """Events for blame, assumptions, refusals, alternatives, same-side language and agreement."""
    events = []
    for turn in turns:
        if turn.speaker != AGENT:
            continue
        text = normalize(turn.text)
        for kind, (polarity, patterns) in _conduct_phrases().items():
            match = next((m for p, _ in patterns if (m := p.search(text))), None)
            if match:
                events.append(Event(f"b{len(events) + 1}", kind, turn.id, turn.start, turn.end, match.group(0), {"polarity": polarity}))
    return events
