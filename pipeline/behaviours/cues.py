"""Customer emotional cues: said outright, implied, situational, urgent, confused, good news; and
turns where the customer's voice is aroused well above their own baseline (tone.arousal_by_turn)."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from ..config import CueOptions
from ..models import CUSTOMER, Cue, Turn
from .judge import Judge
from .lexicon import compile_patterns, load_lexicon, matches
from .sentences import SentenceClassifier, split_sentences
from .text import normalize


# The cue judge weighs a turn's length, and the labelled calls it was fitted on have no customer turn
# over 50 words (every one over 30 carries a cue: writers put feelings in long turns). Real callers
# tell long plain stories, so length counts up to the longest turn fitted on and no further: the judge
# does not extrapolate. (At 30, recall on the hand-labelled tweets' first half fell from 0.77 to 0.72.)
MAX_JUDGED_WORDS = 50


@dataclass(frozen=True)
class CueKind:
    name: str
    polarity: str
    confidence: float
    patterns: tuple[re.Pattern, ...]
    kind_probability: float = 1.0  # how sure the sentence classifier is of this kind among the others (1: a phrase said it)


@lru_cache(maxsize=1)
def _closing_courtesies() -> list[re.Pattern]:
    return compile_patterns(load_lexicon("politeness")["closing"])


@lru_cache(maxsize=1)
def _first_person() -> frozenset[str]:
    return frozenset(load_lexicon("text")["first_person"].split())


@lru_cache(maxsize=1)
def cue_kinds() -> tuple[CueKind, ...]:
    return tuple(
        CueKind(name, spec["polarity"], float(spec["confidence"]), tuple(re.compile(rf"\b(?:{p})\b") for p in spec["patterns"]))
        for name, spec in load_lexicon("cues").items()
    )


def find_cues(turns: list[Turn], *, arousal: dict[int, float | None] | None = None,
              options: CueOptions | dict | None = None, classifier: SentenceClassifier | None = None,
              judge: Judge | None = None) -> list[Cue]:
    """One cue event per kind found in a customer turn, with the words that carry it.

    `arousal` maps a turn id to the customer's vocal arousal (0-100, against their own baseline).
    `classifier`, the sentence classifier fitted on customer sentences, finds the kinds the phrase
    lists miss (with options.sentence_model). `judge` (judges/cue.json, with the classifier) weighs
    every customer turn's signals (cue_signals, its meaning among them) and keeps its cues only when it
    is sure enough; its probability is then their confidence. A turn it keeps without any candidate
    ("it's been a bit of a week") is reported as the kind the classifier finds likeliest.
    """
    options = CueOptions.of(options)
    arousal = arousal or {}
    events: list[Cue] = []
    for turn in turns:
        if turn.speaker != CUSTOMER:
            continue
        heard = arousal.get(turn.id)
        loud = heard is not None and heard >= options.voice_cue_arousal
        found = candidate_cues(turn.text, options, classifier)
        judged = None
        if judge is not None and classifier is not None and options.sentence_model:
            # every turn is judged, not only those with a candidate: the judge reads the turn's meaning too
            kept, judged = judge.verdict(cue_signals(turn.text, found, classifier), options.min_confidence)
            found = (found or likeliest_cue(turn.text, classifier)) if kept else []
        found = reported_kinds(found, options)
        if not found and loud and options.voice_only and turn.duration >= options.min_voice_cue_s:
            found = [(CueKind("frustration", "negative", options.voice_cue_confidence, ()), "")]
        for kind, span in found:
            confidence = judged if judged is not None and span else kind.confidence
            confidence = min(0.99, confidence + (options.voice_boost if loud and span else 0.0))
            events.append(Cue(id=f"c{len(events) + 1}", turn=turn.id, start=turn.start, end=turn.end, text=span or turn.text,
                              kind=kind.name, polarity=kind.polarity, confidence=round(confidence, 2),
                              source=("text+voice" if loud else "text") if span else "voice", arousal=heard))
    return events


def candidate_cues(text: str, options: CueOptions, classifier: SentenceClassifier | None) -> list[tuple[CueKind, str]]:
    """(kind, words) of every cue the phrase lists and the sentence classifier find in a turn's words,
    before the judge weighs them; a thanks inside a closing courtesy is no gratitude cue."""
    found = _cues_in(normalize(text))
    if options.sentence_model and classifier is not None:
        found += _cues_from_sentences(text, {kind.name for kind, _ in found}, classifier, options.min_probability)
    if found and matches(_closing_courtesies(), normalize(text)):
        found = [(kind, span) for kind, span in found if kind.name != "gratitude"]
    return found


def reported_kinds(found: list[tuple[CueKind, str]], options: CueOptions) -> list[tuple[CueKind, str]]:
    """The kinds a turn's cue is reported as: every kind a phrase found, and a kind only the sentence
    classifier heard when it is clear among the others (options.min_kind_probability); when none is,
    the classifier's likeliest one. Which kind a sentence carries is much less certain than whether it
    carries any ("I literally just left your shop" is something, but hardly anger): the turn is judged
    on all the candidates, and only the kinds it is shown as are thinned."""
    kept = [(kind, span) for kind, span in found if kind.kind_probability >= options.min_kind_probability]
    return kept or sorted(found, key=lambda item: -item[0].kind_probability)[:1]


def likeliest_cue(text: str, classifier: SentenceClassifier) -> list[tuple[CueKind, str]]:
    """[(the kind the sentence classifier finds likeliest in `text`, the sentence that carries it most)]."""
    sentences = split_sentences(text) or [text]
    (label, probability, kind_probability), sentence = max(zip(classifier.best(sentences, threshold=0.0), sentences),
                                                           key=lambda pair: pair[0][1])
    kind = next(k for k in cue_kinds() if k.name == label)
    return [(CueKind(kind.name, kind.polarity, round(min(kind.confidence, probability), 2), (), kind_probability), sentence)]


def cue_signals(text: str, found: list[tuple[CueKind, str]], classifier: SentenceClassifier) -> dict:
    """What the cue judge weighs for one customer turn with candidate cues `found` (none: a turn of no
    phrase and no sure sentence, judged on its meaning and the rest): the named signals, and
    `turn_meaning`, the turn's sentence vector."""
    sentences = split_sentences(text) or [text]
    phrases = [kind.confidence for kind, _ in found if kind.patterns]
    return {
        "turn_meaning": classifier.encoder.encode([text])[0],
        "phrase": max(phrases, default=0.0),
        "phrase_kinds": float(len(phrases)),
        "sentence_model": classifier.probability(sentences),
        "kinds": float(len(found)),
        "negative": float(any(kind.polarity == "negative" for kind, _ in found)),
        "question_share": sum(s.rstrip().endswith("?") for s in sentences) / len(sentences),
        "first_person": float(not _first_person().isdisjoint(re.findall(r"[a-z]+", normalize(text)))),
        "log_words": math.log1p(min(len(text.split()), MAX_JUDGED_WORDS)),
    }


def _cues_from_sentences(text: str, known: set[str], classifier: SentenceClassifier, threshold: float) -> list[tuple[CueKind, str]]:
    """Kinds the sentence classifier hears in `text` that the phrase lists did not find."""
    sentences = split_sentences(text)
    kinds = {k.name: k for k in cue_kinds()}
    found: dict[str, tuple[CueKind, str]] = {}
    for sentence, (label, probability, kind_probability) in zip(sentences, classifier.best(sentences, threshold=threshold)):
        if label != "none" and label not in known and label not in found:
            kind = kinds[label]
            found[label] = (CueKind(kind.name, kind.polarity, round(min(kind.confidence, probability), 2), (), kind_probability), sentence)
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
