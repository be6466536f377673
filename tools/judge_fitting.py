"""Fitting the cue, acknowledgement, recap and closing judges (pipeline/behaviours/judges/*.json) on a
set of labelled call versions (tools/writers.py), with each judge's threshold chosen inside that set.

Thresholds are chosen by leave-one-writer-out among the outside writers of the set: each writer's calls
are judged by judges fitted on every other call of the set (the team's own calls are always fitted on,
never judged), end to end: the cue judge decides which cues stand, then the acknowledgement judge reads
the agent turns after each of them; the recap and closing judges each pick the one turn of the call
they are surest of. Calls are scored as `callqa evaluate` scores turns. The threshold of each judge is
the one with the best F1 (THRESHOLD_RULE): for the cue judge among those whose precision is at least
0.85 where any is (a false cue costs the agent a missed acknowledgement); for the acknowledgement judge
the highest whose F1 is within 0.03 of the best (precision first, among thresholds the data cannot tell
apart). The cue threshold is chosen first. (A precision floor of 0.90 for every judge, used before, was out of reach
for acknowledgements in every fold: the most precise threshold then found a fifth of them.) The
judges are then fitted on the whole set with those thresholds. The team's calls and the real text
(tools/real_text.py) are always fitted on, never judged."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from pipeline.behaviours.acknowledge import candidate_turns, pair_signals
from pipeline.behaviours.checks import closing_signals, recap_signals
from pipeline.behaviours.conduct import find_apologies
from pipeline.behaviours.cues import candidate_cues, cue_signals, likeliest_cue, reported_kinds
from pipeline.behaviours.judge import Judge, fit_judge
from pipeline.behaviours.sentences import SentenceClassifier
from pipeline.config import AcknowledgementOptions, CheckOptions, CueOptions
from pipeline.evaluate.events import f1_table
from pipeline.models import CUSTOMER, Cue, Turn, Word
from pipeline.speech.transcript import plain_text

from tools.writers import FITTED_ONLY, REAL_TEXT, LabelledCall, outside_writers

THRESHOLDS = [round(t, 2) for t in np.arange(0.1, 0.91, 0.05)]
# The precision a cue threshold must reach where one can: the bar. Other judges take the best F1
# (their bars are F1s): a floor they reach only at a few events makes them find almost nothing elsewhere.
CUE_PRECISION_FLOOR = 0.85
# Of thresholds whose F1 is this close to the best, the acknowledgement judge takes the highest: about one
# standard error of an F1 over the few hundred acknowledgements fitted on, so the data cannot tell them
# apart, and a plain answer taken for an acknowledgement is the error real calls showed. The recap and
# closing judges take the best F1: their threshold only says whether the call's likeliest turn counts,
# and a higher one lost the team's own recaps (4 of 7 found from audio).
F1_TOLERANCE = 0.03
THRESHOLD_RULE = {"cue": {"floor": CUE_PRECISION_FLOOR}, "acknowledgement": {"tolerance": F1_TOLERANCE}}


@dataclass
class CallExamples:
    """One labelled call version's candidate cue turns and candidate (cue, agent turn) pairs, with their signals."""

    call_id: str  # "<call>@asr<n>" for the version made of the ASR turns of its audio run in the n-th --asr folder
    source: str  # who wrote it: the team, or an outside writer
    group: str  # the call, whichever version
    cue_turns: set[int]  # labelled
    ack_pairs: set[tuple[int, int]]  # labelled (cue turn, acknowledging turn)
    turn_signals: dict[int, dict] = field(default_factory=dict)  # every customer turn
    # per candidate cue: its turn, and its candidate agent turns in order as (turn id, signals)
    cue_pairs: list[tuple[int, list[tuple[int, dict[str, float]]]]] = field(default_factory=list)
    # the judges that pick one turn per call: name → (labelled turns, candidate turn → signals)
    one_per_call: dict[str, tuple[set[int], dict[int, dict[str, float]]]] = field(default_factory=dict)


@dataclass(frozen=True)
class FittedJudge:
    judge: Judge
    table: dict[float, dict]  # leave-one-writer-out scores at every threshold
    examples: int
    positives: int


def turns_of(labels: dict) -> list[Turn]:
    turns = []
    for t in labels["turns"]:
        words = plain_text(t["text"]).split()
        turns.append(Turn(t["id"], t["speaker"], t["start"], t["end"], tuple(Word(w, t["start"], t["end"], 1.0, t["speaker"]) for w in words)))
    return turns


def examples(call: LabelledCall, customer: SentenceClassifier, agent: SentenceClassifier) -> CallExamples:
    """What the four judges learn from in one call version: the signals of every candidate, and its label."""
    labels = call.labels
    turns = turns_of(labels)
    one_per_call = {} if call.source == REAL_TEXT else {  # a tweet and its reply hold no recap or closing, nor labels for them
        "recap": (set(labels["recaps"]), recap_signals(turns, agent.encoder, CheckOptions())),
        "closing": (set(labels["closing_actions"]), closing_signals(turns, CheckOptions()))}
    cue_turn_of = {c["id"]: c["turn"] for c in labels["cues"]}
    found = CallExamples(call.call_id, call.source, call.group, set(cue_turn_of.values()),
                         {(cue_turn_of[a["cue"]], a["turn"]) for a in labels["acknowledgements"]}, one_per_call=one_per_call)
    cue_options, ack_options = CueOptions(), AcknowledgementOptions()
    apologies = find_apologies(turns)
    genuine, hollow = {a.turn for a in apologies if a.genuine}, {a.turn for a in apologies if not a.genuine}
    for turn in turns:
        if turn.speaker != CUSTOMER:
            continue
        candidates = candidate_cues(turn.text, cue_options, customer)
        found.turn_signals[turn.id] = cue_signals(turn.text, candidates, customer)
        for kind, span in reported_kinds(candidates or likeliest_cue(turn.text, customer), cue_options):
            cue = Cue(id="c", turn=turn.id, start=turn.start, end=turn.end, text=span, kind=kind.name, polarity=kind.polarity,
                      confidence=1.0, source="text")
            replies = [(t.id, pair_signals(cue, t, position, t.id in genuine, t.id in hollow, agent))
                       for position, t in enumerate(candidate_turns(turns, turn, ack_options), start=1)]
            found.cue_pairs.append((turn.id, replies))
    return found


def cue_rows(calls: list[CallExamples]):
    return [(s, tid in c.cue_turns) for c in calls for tid, s in c.turn_signals.items()]


def ack_rows(calls: list[CallExamples]):
    """Pairs of labelled cue turns only, up to the labelled acknowledgement: the judge learns what
    acknowledges a real cue; the first acknowledgement is the one that counts."""
    rows = []
    for c in calls:
        for cue_turn, candidates in c.cue_pairs:
            if cue_turn not in c.cue_turns:
                continue
            acked = min((a for t, a in c.ack_pairs if t == cue_turn), default=None)
            for turn_id, signals in candidates:
                if acked is not None and turn_id > acked:
                    break
                rows.append((signals, turn_id == acked))
    return rows


def one_per_call_rows(calls: list[CallExamples], name: str):
    return [(signals, tid in c.one_per_call[name][0]) for c in calls if name in c.one_per_call
            for tid, signals in c.one_per_call[name][1].items()]


def fit(name: str, rows, threshold: float = 0.5, about: dict | None = None) -> Judge:
    return fit_judge(name, [s for s, _ in rows], [y for _, y in rows], threshold=threshold, about=about)


def judged_by_writer(calls: list[CallExamples], name: str, rows_of: Callable[[list[CallExamples]], list]):
    """(call, the `name` judge fitted on the rows of every call by another writer) for each call of an
    outside writer; the team's calls are fitted on in every fold and never judged."""
    judges = {writer: fit(name, rows_of([c for c in calls if c.source != writer])) for writer in outside_writers(calls)}
    return [(held, judges[held.source]) for held in calls if held.source in judges]


def cue_probabilities(calls: list[CallExamples]) -> dict[tuple[str, int], float]:
    """(call, customer turn) → the cue judge's probability, fitted without the call's writer."""
    return {(held.call_id, tid): judge.probability(s) for held, judge in judged_by_writer(calls, "cue", cue_rows)
            for tid, s in held.turn_signals.items()}


def ack_probabilities(calls: list[CallExamples], kept: set[tuple[str, int]]) -> dict[tuple[str, int], dict[int, float]]:
    """(call, cue turn) → agent turn → the acknowledgement judge's probability, fitted without the call's
    writer, for the cue turns in `kept`; as find_acknowledgements does, an agent turn answers a customer
    turn with the best of its cues."""
    found: dict[tuple[str, int], dict[int, float]] = {}
    for held, judge in judged_by_writer(calls, "acknowledgement", ack_rows):
        for cue_turn, candidates in held.cue_pairs:
            if (held.call_id, cue_turn) in kept:
                best = found.setdefault((held.call_id, cue_turn), {})
                for tid, signals in candidates:
                    best[tid] = max(best.get(tid, 0.0), judge.probability(signals))
    return found


def best_turns(calls: list[CallExamples], name: str) -> dict[str, tuple[int, float]]:
    """call → (the turn the `name` judge, fitted without the call's writer, is surest of; its
    probability), as Judge.best picks it."""
    return {held.call_id: best for held, judge in judged_by_writer(calls, name, lambda others: one_per_call_rows(others, name))
            for best in judge.best(held.one_per_call[name][1], threshold=0.0)}


def scores(found: set, expected: set) -> dict[str, float]:
    """Precision, recall and F1 as `callqa evaluate` computes them; 0 where nothing was found."""
    row = f1_table({"scores": {"tp": len(found & expected), "fp": len(found - expected), "fn": len(expected - found)}})["scores"]
    return {key: 0.0 if value is None else value for key, value in row.items()}


def score_table(found_at: Callable[[float], set], expected: set) -> dict[float, dict]:
    return {t: scores(found_at(t), expected) for t in THRESHOLDS}


def precision_first(table: dict, floor: float = 0.0, tolerance: float = 0.0) -> float:
    """The highest threshold whose F1 is within `tolerance` of the best among those precise enough (or
    among all, when none is): precision first, among thresholds the data cannot tell apart."""
    sure = [t for t, row in table.items() if row["precision"] >= floor] or list(table)
    best = max(table[t]["f1"] for t in sure)
    return max(t for t in sure if table[t]["f1"] >= best - tolerance)


def fit_all(calls: list[CallExamples]) -> dict[str, FittedJudge]:
    """The four judges fitted on `calls`, each with its threshold chosen by leave-one-writer-out among
    them (the module's docstring says how). Needs calls by at least one outside writer."""
    if not outside_writers(calls):
        raise ValueError("thresholds are chosen on outside writers' calls, and there are none among the calls fitted on")
    judged = {c.call_id for c in calls if c.source not in FITTED_ONLY}
    inside = [c for c in calls if c.call_id in judged]
    cue_found = cue_probabilities(calls)

    def cues_at(t: float) -> set:
        return {key for key, p in cue_found.items() if p >= t}

    cue_table = score_table(cues_at, {(c.call_id, t) for c in inside for t in c.cue_turns})
    chosen = {"cue": (cue_rows(calls), cue_table)}
    ack_found = ack_probabilities(calls, cues_at(precision_first(cue_table, **THRESHOLD_RULE["cue"])))

    def acks_at(t: float) -> set:  # the first agent turn that reaches t answers the cue turn
        return {(*key, next(tid for tid, p in sorted(turns.items()) if p >= t))
                for key, turns in ack_found.items() if max(turns.values(), default=0.0) >= t}

    chosen["acknowledgement"] = (ack_rows(calls), score_table(acks_at, {(c.call_id, *pair) for c in inside for pair in c.ack_pairs}))
    for name in ("recap", "closing"):
        best = best_turns(calls, name)

        def picked_at(t: float, best=best) -> set:
            return {(call_id, tid) for call_id, (tid, p) in best.items() if p >= t}

        chosen[name] = (one_per_call_rows(calls, name), score_table(picked_at, {(c.call_id, t) for c in inside for t in c.one_per_call[name][0]}))
    fitted_on = [c.call_id for c in calls]
    fitted = {}
    for name, (rows, table) in chosen.items():
        threshold = precision_first(table, **THRESHOLD_RULE.get(name, {}))
        positives = sum(y for _, y in rows)
        about = {"fitted_on": fitted_on, "examples": len(rows), "positives": positives,
                 "leave_one_writer_out": table[threshold], "made_by": "tools/fit_judges.py"}
        fitted[name] = FittedJudge(fit(name, rows, threshold, about), table, len(rows), positives)
    return fitted
