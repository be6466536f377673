"""Name use, recap and closing action: what the seed articles ask every agent to do."""
from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz

from .config import CheckOptions
from .lexicon import compile_patterns, load_lexicon, matches
from .models import AGENT, CUSTOMER, Event, Turn
from .text import content_words, normalize


@lru_cache(maxsize=1)
def _lexicon() -> dict:
    lexicon = load_lexicon("checks")
    closing = lexicon["closing"]
    return {
        "introduces": re.compile(lexicon["customer_name"]["introduces"]),
        "agent_asks": re.compile(lexicon["customer_name"]["agent_asks"]),
        "recap": compile_patterns(lexicon["recap"]),
        **{f"closing_{k}": re.compile(rf"\b(?:{v})\b") for k, v in closing.items()},
        "further_help": re.compile(rf"\b(?:{lexicon['further_help']})\b"),
    }


def learn_customer_name(turns: list[Turn], known: str = "", agent_name: str = "") -> str:
    """The manifest's name, else the name the customer gives ("my name is", "this is", or the answer
    to "who am I speaking with")."""
    if known.strip():
        return known.strip()
    lexicon = _lexicon()
    asked = False
    agent_first = agent_name.split()[0].lower() if agent_name.strip() else ""
    for turn in turns:
        text = normalize(turn.text)
        if turn.speaker == AGENT:
            asked = asked or bool(lexicon["agent_asks"].search(text))
            continue
        if turn.speaker != CUSTOMER:
            continue
        match = lexicon["introduces"].search(text)
        if match and match.group(3) != agent_first and (asked or match.group(1) in ("my name is", "name is")):
            return " ".join(part for part in (match.group(3), (match.group(4) or "").strip()) if part).title()
        if asked and len(text.split()) <= 3 and text:  # a bare answer: "Tim Baker."
            return text.title()
    return ""


def find_name_uses(turns: list[Turn], customer_name: str, options: CheckOptions | dict | None = None) -> tuple[list[Event], dict]:
    """One event per agent turn that says the customer's first or last name (fuzzily), and a summary."""
    options = CheckOptions.of(options)
    names = [n.lower() for n in customer_name.split() if len(n) >= 2]
    events = []
    for turn in turns if names else []:
        if turn.speaker != AGENT:
            continue
        hits = [w for w in turn.words if _is_name(normalize(w.text), names, options.name_similarity)]
        if hits:
            events.append(Event(f"n{len(events) + 1}", "name_use", turn.id, hits[0].start, hits[-1].end,
                                " ".join(w.text for w in hits), {"count": len(hits)}))
    end = max((t.end for t in turns), default=0.0)
    agent_minutes = sum(t.duration for t in turns if t.speaker == AGENT) / 60
    uses = sum(e.data["count"] for e in events)
    summary = {
        "customer_name": customer_name,
        "uses": uses,
        "first_use": events[0].start if events else None,
        "near_end": any(e.start >= end * (1 - options.name_end_share) for e in events),
        "overuse": agent_minutes > 0 and uses / agent_minutes > options.name_overuse_per_minute and uses > options.name_overuse_min_uses,
    }
    return events, summary


def _is_name(word: str, names: list[str], similarity: float) -> bool:
    """Exact, or close in spelling with the same initial ("Louis" for "Luis", not "Thank" for "Ethan")."""
    return any(word == n or (len(word) >= 3 and len(n) >= 3 and word[0] == n[0] and fuzz.ratio(word, n) >= similarity) for n in names)


def find_recaps(turns: list[Turn], options: CheckOptions | dict | None = None) -> list[Event]:
    """Agent turns that restate the customer's issue: a recap marker, and a restatement checked
    against what the customer said before it: enough of their own content words, or (with the
    sentence model) a sentence close in meaning to theirs. A marker alone does not count."""
    options = CheckOptions.of(options)
    events = []
    heard: set[str] = set()
    said: list[str] = []
    for turn in turns:
        if turn.speaker == CUSTOMER:
            heard |= content_words(turn.text)
            said.append(turn.text)
            continue
        if turn.speaker != AGENT:
            continue
        text = normalize(turn.text)
        if matches(_lexicon()["recap"], text):
            shared = sorted(heard & content_words(turn.text))
            similarity = _closest_meaning(turn.text, said) if options.recap_sentence_model and said else 0.0
            if len(shared) >= options.recap_min_overlap or similarity >= options.recap_min_similarity:
                events.append(Event(f"r{len(events) + 1}", "recap", turn.id, turn.start, turn.end, turn.text,
                                    {"shared_words": shared, "similarity": round(similarity, 2)}))
    return events


def _closest_meaning(text: str, said: list[str]) -> float:
    """Highest cosine similarity between a sentence of `text` and a sentence the customer said."""
    from .sentences import shared_encoder, split_sentences

    mine = split_sentences(text)
    theirs = [s for turn in said for s in split_sentences(turn)]
    if not mine or not theirs:
        return 0.0
    encoder = shared_encoder()
    return float((encoder.encode(mine) @ encoder.encode(theirs).T).max())


def find_closing(turns: list[Turn], options: CheckOptions | dict | None = None) -> list[Event]:
    """Near the end: concrete action statements (an owner, an action and a time frame), vague ones
    ("someone will look into it"), and offers of further help."""
    options = CheckOptions.of(options)
    lexicon = _lexicon()
    end = max((t.end for t in turns), default=0.0)
    events = []
    for turn in turns:
        if turn.speaker != AGENT or turn.end < end * (1 - options.closing_share):
            continue
        text = normalize(turn.text)
        owner, action, when = (lexicon[f"closing_{k}"].search(text) for k in ("owner", "action", "timeframe"))
        if owner and action and when:
            events.append(Event(f"x{len(events) + 1}", "closing_action", turn.id, turn.start, turn.end, turn.text,
                                {"owner": owner.group(0), "action": action.group(0), "timeframe": when.group(0)}))
        elif lexicon["closing_vague"].search(text):
            events.append(Event(f"x{len(events) + 1}", "vague_closing", turn.id, turn.start, turn.end, turn.text, {}))
        if lexicon["further_help"].search(text):
            events.append(Event(f"x{len(events) + 1}", "further_help", turn.id, turn.start, turn.end, turn.text, {}))
    return events
