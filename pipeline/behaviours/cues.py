"""Customer emotional cues: said outright, implied, situational, urgent, confused, good news; and
turns where the customer's voice is aroused well above their own baseline (tone.arousal_by_turn)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..config import CueOptions
from ..models import CUSTOMER, Cue, Turn
from .lexicon import compile_patterns, load_lexicon, matches
from .sentences import SentenceClassifier, split_sentences
from .text import normalize


@dataclass(frozen=True)
class CueKind:
    name: str
    polarity: str
    confidence: float
    patterns: tuple[re.Pattern, ...]


@lru_cache(maxsize=1)
def _closing_courtesies() -> list[re.Pattern]:
    return compile_patterns(load_lexicon("politeness")["closing"])


@lru_cache(maxsize=1)
def cue_kinds() -> tuple[CueKind, ...]:
    return tuple(
        CueKind(name, spec["polarity"], float(spec["confidence"]), tuple(re.compile(rf"\b(?:{p})\b") for p in spec["patterns"]))
        for name, spec in load_lexicon("cues").items()
    )


def find_cues(turns: list[Turn], *, arousal: dict[int, float | None] | None = None,
              options: CueOptions | dict | None = None, classifier: SentenceClassifier | None = None) -> list[Cue]:
    """One cue event per kind found in a customer turn, with the words that carry it.

    `arousal` maps a turn id to the customer's vocal arousal (0-100, against their own baseline).
    `classifier`, the sentence classifier fitted on customer sentences, finds the kinds the phrase
    lists miss (with options.sentence_model).
    """
    options = CueOptions.of(options)
    arousal = arousal or {}
    events: list[Cue] = []
    for turn in turns:
        if turn.speaker != CUSTOMER:
            continue
        heard = arousal.get(turn.id)
        loud = heard is not None and heard >= options.voice_cue_arousal
        found = _cues_in(normalize(turn.text))
        if options.sentence_model and classifier is not None:
            found += _cues_from_sentences(turn.text, {kind.name for kind, _ in found}, classifier, options.min_probability)
        if not found and loud and turn.duration >= options.min_voice_cue_s:
            found = [(CueKind("frustration", "negative", options.voice_cue_confidence, ()), "")]
        if found and matches(_closing_courtesies(), normalize(turn.text)):
            found = [(kind, span) for kind, span in found if kind.name != "gratitude"]
        for kind, span in found:
            confidence = min(0.99, kind.confidence + (options.voice_boost if loud and span else 0.0))
            events.append(Cue(id=f"c{len(events) + 1}", turn=turn.id, start=turn.start, end=turn.end, text=span or turn.text,
                              kind=kind.name, polarity=kind.polarity, confidence=round(confidence, 2),
                              source=("text+voice" if loud else "text") if span else "voice", arousal=heard))
    return events


def _cues_from_sentences(text: str, known: set[str], classifier: SentenceClassifier, threshold: float) -> list[tuple[CueKind, str]]:
    """Kinds the sentence classifier hears in `text` that the phrase lists did not find."""
    sentences = split_sentences(text)
    kinds = {k.name: k for k in cue_kinds()}
    found: dict[str, tuple[CueKind, str]] = {}
    for sentence, (label, probability) in zip(sentences, classifier.best(sentences, threshold=threshold)):
        if label != "none" and label not in known and label not in found:
            kind = kinds[label]
            found[label] = (CueKind(kind.name, kind.polarity, round(min(kind.confidence, probability), 2), ()), sentence)
    return list(found.values())


def _cues_in(text: str) -> list[tuple[CueKind, str]]:
    """(kind, matched words) for each kind in `text`; a stretch of words belongs to one kind only,
    the first kind in the lexicon that claims it."""
    claimed: list[tuple[int, int]] = []
    found = []
    for kind in cue_kinds():
        spans = [m.span() for p in kind.patterns for m in p.finditer(text)]
        spans = [s for s in spans if not any(s[0] < e and b < s[1] for b, e in claimed)]
        if spans:
            claimed.extend(spans)
            first = min(spans)
            found.append((kind, text[first[0]:first[1]]))
    return found
