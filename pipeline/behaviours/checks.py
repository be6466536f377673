"""Name use, recap and closing action: what the seed articles ask every agent to do."""
from __future__ import annotations

import re
from functools import lru_cache

from ..config import CheckOptions
from ..models import (AGENT, CUSTOMER, Acknowledgement, Apology, ApologyCounts, Checks, ClosingAction, Cue, Event, NameSummary,
                      NameUse, Recap, Turn)
from .judge import Judge
from .lexicon import compile_patterns, load_lexicon, matches
from .sentences import SentenceEncoder, split_sentences
from .text import content_words, name_spans, normalize, person_names


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
        "confirms": re.compile(lexicon["confirms"]),
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


def find_name_uses(turns: list[Turn], customer_name: str, options: CheckOptions | dict | None = None, *,
                   agent_name: str = "") -> tuple[list[NameUse], NameSummary]:
    """One event per agent turn that says the customer's first or last name, as spelled or as heard
    (behaviours.text.name_spans), and a summary. The agent's own name (`agent_name`) is never the
    customer's."""
    options = CheckOptions.of(options)
    names = person_names(customer_name)
    events = []
    for turn in turns if names else []:
        if turn.speaker != AGENT:
            continue
        words = [w.text for w in turn.words]
        spans = name_spans(words, names, similarity=options.name_similarity, agent_names=person_names(agent_name),
                           probs=[w.prob for w in turn.words])
        hits = [w for first, last, _ in spans for w in turn.words[first:last + 1]]
        if spans:
            events.append(NameUse(id=f"n{len(events) + 1}", turn=turn.id, start=hits[0].start, end=hits[-1].end,
                                  text=" ".join(w.text for w in hits), count=len(spans)))
    end = max((t.end for t in turns), default=0.0)
    agent_minutes = sum(t.duration for t in turns if t.speaker == AGENT) / 60
    uses = sum(e.count for e in events)
    summary = NameSummary(
        customer_name=customer_name,
        uses=uses,
        first_use=events[0].start if events else None,
        near_end=any(e.start >= end * (1 - options.name_end_share) for e in events),
        overuse=agent_minutes > 0 and uses / agent_minutes > options.name_overuse_per_minute and uses > options.name_overuse_min_uses,
    )
    return events, summary


# The most of the customer's content words the recap judge counts: a longer restatement is no more a recap.
MAX_RECAP_WORDS = 6
# The customer's last words before an agent turn that the recap judge reads as their account: about
# what MiniLM reads at once (256 word pieces).
ACCOUNT_WORDS = 150

# The most time frames the closing judge counts in one turn: a fourth says no more about a commitment.
MAX_TIMEFRAMES = 3


def find_recaps(turns: list[Turn], options: CheckOptions | dict | None = None, *,
                encoder: SentenceEncoder | None = None, judge: Judge | None = None) -> list[Recap]:
    """The agent turn that restates the customer's issue, checked against what the customer said
    before it. With the recap `judge` (judges/recap.json) and the sentence `encoder`: the one agent
    turn the judge is surest of (recap_signals), as both writers of the labelled calls mark one recap
    per call at most. Without the judge: every turn with a recap marker and enough of the customer's
    content words, or a sentence close in meaning to theirs. A marker alone never counts."""
    options = CheckOptions.of(options)
    encoder = encoder if options.recap_sentence_model else None
    signals = recap_signals(turns, encoder, options)
    if judge is not None and encoder is not None:
        kept = {tid: round(p, 2) for tid, p in judge.best(signals, options.min_confidence)}
    else:
        kept = {tid: None for tid, s in signals.items() if s["marker"]}
    events = []
    heard: set[str] = set()
    for turn in turns:
        if turn.speaker == CUSTOMER:
            heard |= content_words(turn.text)
        elif turn.id in kept:
            events.append(Recap(id=f"r{len(events) + 1}", turn=turn.id, start=turn.start, end=turn.end, text=turn.text,
                                shared_words=tuple(sorted(heard & content_words(turn.text))),
                                similarity=round(signals[turn.id]["similarity"], 2), confidence=kept[turn.id]))
    return events


def recap_signals(turns: list[Turn], encoder: SentenceEncoder | None, options: CheckOptions) -> dict[int, dict]:
    """What the recap judge weighs for each agent turn of `recap_min_words` or more that restates
    something the customer said before it (at least `recap_min_overlap` of their content words, or a
    sentence `recap_min_similarity` close in meaning to one of theirs: "just to confirm, can I take your
    account number?" restates nothing): a recap marker; how many of the customer's content words come
    back, and what share of the turn they make; how close in meaning its closest sentence is to one of
    theirs; how far into the call it is; whether it asks back ("is that right?") and whether the
    customer's next turn confirms it ("Yes."); whether it commits to an action with a time, which
    restates the agent's own plan rather than the customer's issue; and, with the encoder, the turn's meaning against the customer's account (SentenceEncoder.pair_vector)."""
    lexicon = _lexicon()
    end = max((t.end for t in turns), default=0.0) or 1.0
    heard: set[str] = set()  # the customer's content words so far
    said: list[str] = []  # and their sentences
    told: list[str] = []  # and their words
    spoken = False
    found = {}
    for position, turn in enumerate(turns):
        if turn.speaker == CUSTOMER:
            heard |= content_words(turn.text)
            said += split_sentences(turn.text)
            told += turn.text.split()
            spoken = True
            continue
        if turn.speaker != AGENT or not spoken or len(turn.text.split()) < options.recap_min_words:
            continue
        text, mine = normalize(turn.text), content_words(turn.text)
        shared = len(heard & mine)
        similarity = encoder.closest(split_sentences(turn.text), said) if encoder is not None else 0.0
        if shared < options.recap_min_overlap and similarity < options.recap_min_similarity:
            continue
        found[turn.id] = {
            "marker": float(matches(lexicon["recap"], text)),
            "shared_words": float(min(shared, MAX_RECAP_WORDS)),
            "shared_share": shared / len(mine) if mine else 0.0,
            "similarity": similarity,
            "position": turn.start / end,
            "question": float("?" in turn.text),
            "confirmed": float(_confirmed(turns[position + 1] if position + 1 < len(turns) else None, lexicon["confirms"])),
            "commitment": float(all(lexicon[f"closing_{k}"].search(text) for k in ("owner", "action", "timeframe"))),
        }
        if encoder is not None:  # the turn against the customer's account: with it, leave one writer out on the labelled
            # transcripts found the right recap in 38 of 55 calls, the named signals alone in 33
            found[turn.id]["restatement_meaning"] = encoder.pair_vector(" ".join(told[-ACCOUNT_WORDS:]), turn.text)
    return found


def _confirmed(following: Turn | None, confirms: re.Pattern) -> bool:
    """Whether the turn after an agent's (`following`, None at the end) is the customer confirming it."""
    return following is not None and following.speaker == CUSTOMER and bool(confirms.search(normalize(following.text)))


def find_closing(turns: list[Turn], options: CheckOptions | dict | None = None, *, judge: Judge | None = None) -> list[Event]:
    """Near the end: the concrete action statement (an owner, an action and a time frame), vague ones
    ("someone will look into it"), and offers of further help. With the closing `judge`
    (judges/closing.json), the closing action is the one turn it is surest of (closing_signals), so a
    step promised mid-way is not the call's closing. Without it, every turn with an owner, an action and
    a time frame."""
    options = CheckOptions.of(options)
    lexicon = _lexicon()
    signals = closing_signals(turns, options)
    if judge is not None:
        closing = {tid: round(p, 2) for tid, p in judge.best(signals, options.min_confidence)}
    else:
        closing = {tid: None for tid, s in signals.items() if s["owner"] and s["action"] and s["timeframe"]}
    events = []
    for turn in (t for t in turns if t.id in signals):
        if turn.id in closing:  # the words that carry each part, for the evidence
            text = normalize(turn.text)
            owner, action, when = (lexicon[f"closing_{k}"].search(text) for k in ("owner", "action", "timeframe"))
            events.append(ClosingAction(id=f"x{len(events) + 1}", turn=turn.id, start=turn.start, end=turn.end, text=turn.text,
                                        owner=owner.group(0) if owner else "", action=action.group(0) if action else "",
                                        timeframe=when.group(0) if when else "", confidence=closing[turn.id]))
        elif signals[turn.id]["vague"]:
            events.append(Event(id=f"x{len(events) + 1}", type="vague_closing", turn=turn.id, start=turn.start, end=turn.end, text=turn.text))
        if signals[turn.id]["further_help"]:
            events.append(Event(id=f"x{len(events) + 1}", type="further_help", turn=turn.id, start=turn.start, end=turn.end, text=turn.text))
    return events


def closing_signals(turns: list[Turn], options: CheckOptions) -> dict[int, dict[str, float]]:
    """What the closing judge weighs for each agent turn in the last `closing_share` of the call: an
    owner, an action and a time frame, and how many time frames; a vague promise; an offer of further
    help; how near the end it is, in agent turns; a question."""
    lexicon = _lexicon()
    end = max((t.end for t in turns), default=0.0)
    late = [t for t in turns if t.speaker == AGENT and t.end >= end * (1 - options.closing_share)]
    found = {}
    for left, turn in enumerate(reversed(late), start=1):
        text = normalize(turn.text)
        found[turn.id] = {
            **{k: float(bool(lexicon[f"closing_{k}"].search(text))) for k in ("owner", "action", "timeframe", "vague")},
            "timeframes": float(min(sum(1 for _ in lexicon["closing_timeframe"].finditer(text)), MAX_TIMEFRAMES)),
            "further_help": float(bool(lexicon["further_help"].search(text))),
            "from_end": 1.0 / left,
            "question": float(turn.text.rstrip().endswith("?")),
        }
    return dict(sorted(found.items()))


def summarize(cues: list[Cue], acknowledgements: list[Acknowledgement], apologies: list[Apology], names: NameSummary,
              recaps: list[Recap], closing: list[Event]) -> Checks:
    """The call's summary of what the behaviour stages found."""
    answered = {a.cue for a in acknowledgements}
    latencies = sorted(a.latency_s for a in acknowledgements)
    return Checks(
        cues=len(cues),
        cues_acknowledged=len(answered),
        cues_missed=tuple(c.id for c in cues if c.id not in answered),
        median_ack_latency_s=round(latencies[len(latencies) // 2], 2) if latencies else None,
        name=names,
        recap=bool(recaps),
        closing_action=any(e.type == "closing_action" for e in closing),
        further_help_offered=any(e.type == "further_help" for e in closing),
        apologies=ApologyCounts(genuine=sum(a.genuine for a in apologies), not_genuine=sum(not a.genuine for a in apologies)),
    )
