"""How the agent handles the customer: apologies (genuine, non-apology, scripted filler), blame,
assumptions, flat refusals against alternatives, same-side language, agreement."""
from __future__ import annotations

from functools import lru_cache

from .lexicon import compile_patterns, load_lexicon, matches
from .models import AGENT, Event, Turn
from .text import normalize

CONDUCT_TYPES = ("blame", "assumption", "refusal", "alternative", "same_side", "agreement")


@lru_cache(maxsize=1)
def apology_phrases() -> dict[str, list]:
    lexicon = load_lexicon("apologies")
    return {key: compile_patterns(lexicon[key]) for key in ("markers", "non_apology", "scripted", "ownership")}


@lru_cache(maxsize=1)
def _conduct_phrases() -> dict[str, tuple[str, list]]:
    lexicon = load_lexicon("conduct")
    return {kind: (lexicon[kind]["polarity"], compile_patterns(lexicon[kind]["patterns"])) for kind in CONDUCT_TYPES}


def find_apologies(turns: list[Turn]) -> list[Event]:
    """One apology event per agent turn that apologises. `genuine` is false for a non-apology
    ("sorry you feel that way") or scripted filler ("we apologize for any inconvenience")."""
    phrases = apology_phrases()
    events = []
    for turn in turns:
        if turn.speaker != AGENT:
            continue
        text = normalize(turn.text)
        if not matches(phrases["markers"], text):
            continue
        if matches(phrases["non_apology"], text):
            kind = "non_apology"
        elif matches(phrases["scripted"], text):
            kind = "scripted"
        else:
            kind = "genuine"
        owns = matches(phrases["ownership"], text)
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
            match = next((m for p in patterns if (m := p.search(text))), None)
            if match:
                events.append(Event(f"b{len(events) + 1}", kind, turn.id, turn.start, turn.end, match.group(0), {"polarity": polarity}))
    return events
