"""Which agent turn first acknowledges each cue, how fast, and whether it was specific."""
from __future__ import annotations

from functools import lru_cache

from ..config import AcknowledgementOptions
from ..models import AGENT, Acknowledgement, Apology, Cue, Turn
from .judge import Judge
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


# An agent turn that repeats more of the cue's words than this is no more reflective for it: the
# reflection signal the judge was fitted on stops counting here.
MAX_REFLECTION_WORDS = 4

# which signal a judged acknowledgement is put down to (its `how`), when it pushed the decision most
HOW = {"phrase": "phrase", "genuine_apology": "apology", "reflection_share": "reflection", "sentence_model": "sentence_model",
       "similarity": "paraphrase", "reply_meaning": "sentence_model"}


def find_acknowledgements(turns: list[Turn], cues: list[Cue], apologies: list[Apology],
                          options: AcknowledgementOptions | dict | None = None, *,
                          classifier: SentenceClassifier | None = None, judge: Judge | None = None) -> list[Acknowledgement]:
    """An acknowledgement event for each cue that an agent turn answers within the window.

    An agent turn acknowledges a negative cue when it names the feeling, reassures, apologises
    genuinely, or reflects the customer's own words back; a positive cue when it congratulates or
    welcomes the thanks. Latency is the start of that turn minus the end of the cue's turn.
    `classifier`, fitted on agent sentences, hears wordings the phrase lists miss. `judge`
    (judges/acknowledgement.json, with the classifier) weighs all of these signals for the pair of
    cue and agent turn (pair_signals) instead of taking any one of them as enough; its probability is
    the event's confidence.

    The agent answers the customer's turn, not each cue in it: the first agent turn that acknowledges
    any cue of a turn acknowledges all of them ("I'm sorry, that sounds stressful" answers the worry
    and the frustration said together), so one customer turn never gets several answering turns.
    """
    options = AcknowledgementOptions.of(options)
    classifier = classifier if options.sentence_model else None
    judge = judge if classifier is not None else None  # it weighs the classifier's signals: without them it cannot judge
    genuine_apology_turns = {a.turn for a in apologies if a.genuine}
    hollow_apology_turns = {a.turn for a in apologies if not a.genuine}
    cues_of_turn: dict[int, list[Cue]] = {}
    for cue in cues:
        cues_of_turn.setdefault(cue.turn, []).append(cue)
    events = []
    for cue_turn in (t for t in turns if t.id in cues_of_turn):
        said = cues_of_turn[cue_turn.id]
        for position, turn in enumerate(candidate_turns(turns, cue_turn, options), start=1):
            decisions = [_decide(pair_signals(cue, turn, position, turn.id in genuine_apology_turns, turn.id in hollow_apology_turns,
                                              classifier), cue.polarity, options, judge)
                         for cue in said]
            if not any(how for how, _ in decisions):
                continue
            how, confidence = max(decisions, key=lambda d: (bool(d[0]), d[1] or 0.0))
            shared = tuple(sorted(content_words(cue_turn.text) & content_words(turn.text)))  # specific: reuses the customer's words
            for cue in said:
                events.append(Acknowledgement(
                    id=f"a{len(events) + 1}", turn=turn.id, start=turn.start, end=turn.end, text=turn.text,
                    cue=cue.id, latency_s=round(turn.start - cue_turn.end, 2), turns_after_cue=turn.id - cue.turn,
                    how=how, specific=bool(shared), shared_words=shared, confidence=confidence,
                ))
            break
    return events


def candidate_turns(turns: list[Turn], cue_turn: Turn, options: AcknowledgementOptions) -> list[Turn]:
    """The agent turns that may acknowledge a cue in `cue_turn`: the next few, within the window."""
    later = [t for t in turns if t.speaker == AGENT and t.id > cue_turn.id][: options.window_agent_turns]
    return [t for t in later if t.start - cue_turn.end <= options.window_s]


def pair_signals(cue: Cue, turn: Turn, position: int, genuine_apology: bool, hollow_apology: bool,
                 classifier: SentenceClassifier | None) -> dict[str, float]:
    """What is weighed to decide whether agent `turn`, the `position`-th after the cue, acknowledges it.
    Reflection reads the words that carry the cue, not the whole turn: repeating the customer's facts
    ("so you have an 8 a.m. appointment") is not reflecting their feeling. Sentences of a non-apology
    or scripted apology are not read by the model: "sorry you feel that way" sounds empathic but is not.
    With the classifier, `reply_meaning` (SentenceEncoder.pair_vector) lets the judge read the turn as a reply to the cue."""
    cue_words = content_words(cue.text)
    shared = len(cue_words & content_words(turn.text))
    negative = cue.polarity == "negative"
    sentences = [s for s in split_sentences(turn.text) or [turn.text]
                 if not (hollow_apology and matches(_apology_markers(), normalize(s)))]
    return {
        "phrase": float(matches(_phrases()[cue.polarity], normalize(turn.text))),
        "genuine_apology": float(genuine_apology and negative),
        "hollow_apology": float(hollow_apology),
        "reflection_words": float(min(shared, MAX_REFLECTION_WORDS)),
        "reflection_share": shared / len(cue_words) if cue_words else 0.0,
        "cue_words": float(len(cue_words)),
        "sentence_model": classifier.probability(sentences, f"acknowledge_{cue.polarity}") if classifier else 0.0,
        "similarity": classifier.encoder.closest([cue.text], sentences) if classifier else 0.0,
        "first_reply": float(position == 1),
        "question": float(turn.text.rstrip().endswith("?")),
        "negative_cue": float(negative),
        **({"reply_meaning": classifier.encoder.pair_vector(cue.text, turn.text)} if classifier else {}),
    }


def _decide(signals: dict[str, float], polarity: str, options: AcknowledgementOptions, judge: Judge | None) -> tuple[str, float | None]:
    """(how, confidence) when the signals make an acknowledgement, ("", …) when not. Without a judge, any
    one rule is enough, as the phrase lists were first meant."""
    if judge is not None:
        accepted, probability = judge.verdict(signals, options.min_confidence)
        return (HOW[judge.strongest(signals, tuple(HOW))] if accepted else ""), round(probability, 2)
    if signals["phrase"]:
        return "phrase", None
    if signals["genuine_apology"]:
        return "apology", None
    needed = max(options.min_reflection_words_floor, min(options.min_reflection_words, signals["cue_words"]))
    if polarity == "negative" and signals["reflection_words"] >= needed:
        return "reflection", None
    if signals["sentence_model"] >= options.min_probability:
        return "sentence_model", None
    return "", None
