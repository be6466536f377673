"""How the agent handles the customer: apologies (genuine, non-apology, scripted filler), blame,
assumptions, flat refusals against alternatives, same-side language, agreement."""
from __future__ import annotations

from functools import lru_cache

from ..models import AGENT, CONDUCT_TYPES, Apology, Conduct, Turn
from .lexicon import compile_patterns, load_lexicon, matches
from .text import normalize


@lru_cache(maxsize=1)
def apology_phrases() -> dict[str, list]:
    lexicon = load_lexicon("apologies")
    return {key: compile_patterns(lexicon[key]) for key in ("markers", "courtesy", "non_apology", "scripted", "ownership")}


@lru_cache(maxsize=1)
def _conduct_phrases() -> dict[str, tuple[str, list]]:
    lexicon = load_lexicon("conduct")
    return {kind: (lexicon[kind]["polarity"], compile_patterns(lexicon[kind]["patterns"])) for kind in CONDUCT_TYPES}


def find_apologies(turns: list[Turn]) -> list[Apology]:
    """One apology event per agent turn that apologises. `genuine` is false for a non-apology
    ("sorry you feel that way") or scripted filler ("we apologize for any inconvenience"). A courtesy
    "sorry" ("sorry, one moment", "sorry, could you repeat that") is no apology at all."""
    phrases = apology_phrases()
    events = []
    for turn in turns:
        if turn.speaker != AGENT:
            continue
        text = normalize(turn.text)
        for courtesy in phrases["courtesy"]:
            text = courtesy.sub(" ", text)
        if not matches(phrases["markers"], text):
            continue
        if matches(phrases["non_apology"], text):
            kind = "non_apology"
        elif matches(phrases["scripted"], text):
            kind = "scripted"
        else:
            kind = "genuine"
        owns = matches(phrases["ownership"], text)
        events.append(Apology(id=f"p{len(events) + 1}", turn=turn.id, start=turn.start, end=turn.end, text=turn.text,
                              genuine=kind == "genuine", kind=kind, owns_problem=owns))
    return events


def find_conduct(turns: list[Turn]) -> list[Conduct]:
    """Events for blame, assumptions, refusals, alternatives, same-side language and agreement."""
    events = []
    for turn in turns:
        if turn.speaker != AGENT:
            continue
        text = normalize(turn.text)
        for kind, (polarity, patterns) in _conduct_phrases().items():
            match = next((m for p in patterns if (m := p.search(text))), None)
            if match:
                events.append(Conduct(id=f"b{len(events) + 1}", type=kind, turn=turn.id, start=turn.start, end=turn.end,
                                      text=match.group(0), polarity=polarity))
    return events
