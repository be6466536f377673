"""Which agent turn first acknowledges each cue, how fast, and whether it was specific."""
from __future__ import annotations

from functools import lru_cache

from ..config import AcknowledgementOptions
from ..models import AGENT, Acknowledgement, Apology, Cue, Turn
from .lexicon import compile_patterns, load_lexicon, matches
from .sentences import SentenceClassifier, split_sentences
from .text import content_words, normalize


@lru_cache(maxsize=1)
def _phrases() -> dict[str, list]:
    lexicon = load_lexicon("acknowledgements")
    return {polarity: compile_patterns(lexicon[polarity]) for polarity in ("negative", "positive")}


@lru_cache(maxsize=1)
def _apology_markers() -> list:
    return compile_patterns(load_lexicon("apologies")["markers"])


def find_acknowledgements(turns: list[Turn], cues: list[Cue], apologies: list[Apology],
                          options: AcknowledgementOptions | dict | None = None, *,
                          classifier: SentenceClassifier | None = None) -> list[Acknowledgement]:
    """An acknowledgement event for each cue that an agent turn answers within the window.

    An agent turn acknowledges a negative cue when it names the feeling, reassures, apologises
    genuinely, or reflects the customer's own words back; a positive cue when it congratulates or
    welcomes the thanks. Latency is the start of that turn minus the end of the cue's turn.
    `classifier`, fitted on agent sentences, accepts wordings the phrase lists miss (with
    options.sentence_model).
    """
    options = AcknowledgementOptions.of(options)
    by_id = {t.id: t for t in turns}
    genuine_apology_turns = {a.turn for a in apologies if a.genuine}
    hollow_apology_turns = {a.turn for a in apologies if not a.genuine}
    events = []
    for cue in cues:
        cue_turn = by_id[cue.turn]
        turn_words = content_words(cue_turn.text)
        # reflection reads the words that carry the cue, not the whole turn: repeating the customer's
        # facts ("so you have an 8 a.m. appointment") is not reflecting their feeling
        cue_words = content_words(cue.text)
        later = [t for t in turns if t.speaker == AGENT and t.id > cue.turn][: options.window_agent_turns]
        for turn in later:
            if turn.start - cue_turn.end > options.window_s:
                break
            how = _acknowledges(turn, cue, cue_words, turn.id in genuine_apology_turns, turn.id in hollow_apology_turns,
                                options, classifier)
            if how:
                shared = tuple(sorted(turn_words & content_words(turn.text)))  # specific: reuses the customer's words
                events.append(Acknowledgement(
                    id=f"a{len(events) + 1}", turn=turn.id, start=turn.start, end=turn.end, text=turn.text,
                    cue=cue.id, latency_s=round(turn.start - cue_turn.end, 2), turns_after_cue=turn.id - cue.turn,
                    how=how, specific=bool(shared), shared_words=shared,
                ))
                break
    return events


def _acknowledges(turn: Turn, cue: Cue, cue_words: set[str], genuine_apology: bool, hollow_apology: bool,
                  options: AcknowledgementOptions, classifier: SentenceClassifier | None) -> str:
    """How `turn` acknowledges `cue` ("phrase", "apology", "reflection"), or "" when it does not."""
    text = normalize(turn.text)
    polarity = cue.polarity
    if matches(_phrases()[polarity], text):
        return "phrase"
    if polarity == "negative" and genuine_apology:
        return "apology"
    needed = max(options.min_reflection_words_floor, min(options.min_reflection_words, len(cue_words)))
    if polarity == "negative" and len(cue_words & content_words(turn.text)) >= needed:
        return "reflection"
    if (options.sentence_model and classifier is not None
            and _classifier_hears(classifier, turn.text, f"acknowledge_{polarity}", options.min_probability, hollow_apology)):
        return "sentence_model"
    return ""


def _classifier_hears(classifier: SentenceClassifier, text: str, label: str, threshold: float, skip_apologies: bool) -> bool:
    """Whether a sentence of `text` is classified `label`. Sentences of a non-apology or scripted
    apology are skipped: "sorry you feel that way" sounds empathic to a model but is not."""
    sentences = [s for s in split_sentences(text) if not (skip_apologies and matches(_apology_markers(), normalize(s)))]
    return any(found == label for found, _ in classifier.best(sentences, threshold=threshold))
