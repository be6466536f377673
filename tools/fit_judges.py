"""Fit the cue, acknowledgement, recap and closing judges (pipeline/behaviours/judges/*.json) on
labelled calls by two writers: the development part of ../shared/data/labelled-calls (data/splits; never
the held-out part) and the team's own data/labelled and data/samples. The team's data/heldout is not
used either.

    python tools/fit_judges.py --asr R   # fit on each call's transcript and on what ASR heard of it
                                         # (R: `callqa run` results of their audio; the README says how)
    python tools/fit_judges.py --check   # cross-validate and print, write nothing

Every figure printed is from leave-one-call-out cross-validation: each call is judged by judges fitted
on the other calls only (never on another version of the same call), end to end: the cue judge decides
which cues stand, then the acknowledgement judge reads the agent turns after each of them; the recap
and closing judges each pick the one turn of the call they are surest of. Calls are scored as `callqa
evaluate` scores turns. The threshold of each judge is the one with the best cross-validated F1 among
those whose cross-validated precision is at least 0.90 (precision first: an analyst stops trusting a
tool at its first absurd flag), of equal ones the highest; the cue threshold is chosen first."""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.behaviours.acknowledge import candidate_turns, pair_signals  # noqa: E402
from pipeline.behaviours.checks import closing_signals, recap_signals  # noqa: E402
from pipeline.behaviours.conduct import find_apologies  # noqa: E402
from pipeline.behaviours.cues import candidate_cues, cue_signals, reported_kinds  # noqa: E402
from pipeline.behaviours.judge import JUDGES, Judge, fit_judge  # noqa: E402
from pipeline.behaviours.sentences import SentenceEncoder, fit_classifier, split_sentences  # noqa: E402
from pipeline.config import AcknowledgementOptions, CheckOptions, CueOptions  # noqa: E402
from pipeline.evaluate.events import f1_table, truth_turn_of  # noqa: E402
from pipeline.models import CUSTOMER, Cue, Turn, Word  # noqa: E402
from pipeline.speech.transcript import plain_text  # noqa: E402

LABELLED = ROOT.parent / "shared" / "data" / "labelled-calls"
THRESHOLDS = [round(t, 2) for t in np.arange(0.2, 0.91, 0.05)]


@dataclass
class CallExamples:
    """One labelled call's candidate cue turns and candidate (cue, agent turn) pairs, with their signals."""

    call_id: str  # "<call>@asr<n>" for the version made of the ASR turns of its audio run in the n-th --asr folder
    other_writer: bool  # from ../shared/data/labelled-calls, not the team's own
    group: str  # the call, whichever version: a fold leaves out all versions of it
    cue_turns: set[int]  # labelled
    ack_pairs: set[tuple[int, int]]  # labelled (cue turn, acknowledging turn)
    turn_signals: dict[int, dict[str, float]] = field(default_factory=dict)  # customer turns with candidates
    # per candidate cue: its turn, and its candidate agent turns in order as (turn id, signals)
    cue_pairs: list[tuple[int, list[tuple[int, dict[str, float]]]]] = field(default_factory=list)
    # the judges that pick one turn per call: name → (labelled turns, candidate turn → signals)
    one_per_call: dict[str, tuple[set[int], dict[int, dict[str, float]]]] = field(default_factory=dict)


def labelled_calls() -> list[tuple[str, dict, bool]]:
    """(call id, labels, whether another writer wrote it) of every call fitted on."""
    dev = yaml.safe_load((ROOT / "data" / "splits" / "labelled-calls.yaml").read_text())["dev"]
    if not LABELLED.is_dir():
        sys.exit(f"{LABELLED} is missing: the development calls live in ../shared/data/labelled-calls")
    paths = [LABELLED / f"{c}.truth.json" for c in dev]
    paths += sorted((ROOT / "data" / "labelled").glob("*.truth.json")) + sorted((ROOT / "data" / "samples").glob("*.truth.json"))
    return [(p.name.removesuffix(".truth.json"), json.loads(p.read_text()), p.parent == LABELLED) for p in paths]


def asr_versions(folders: list[Path], labelled: list[tuple[str, dict, bool]]) -> list[tuple[str, dict, bool, str]]:
    """The labelled calls again, as the pipeline heard them: the turns of their `callqa run` results
    in `folders`, each labelled from the truth turn it falls in, as `callqa evaluate` matches them.
    Punctuation, words and turn breaks then differ as they will on any recording, so the judges learn
    not to lean on what only an exact transcript has (a question mark, a marker word ASR mishears)."""
    truth_of = {call_id: (labels, other_writer) for call_id, labels, other_writer in labelled}
    versions = []
    for number, folder in enumerate(folders, start=1):
        for path in sorted((folder / "calls").glob("*.json")):
            result = json.loads(path.read_text())
            if result.get("call_id") in truth_of and result.get("status") == "scored":
                labels, other_writer = truth_of[result["call_id"]]
                versions.append((f"{result['call_id']}@asr{number}", heard_labels(labels, result["turns"]), other_writer, result["call_id"]))
    return versions


def heard_labels(truth: dict, heard: list[dict]) -> dict:
    """`truth`'s labels moved onto the `heard` turns: a heard turn carries the labels of the truth turn
    it falls in (every piece of a cue turn is a cue turn; the first piece of an acknowledging, recap or
    closing turn is that turn)."""
    truth_turns = truth["turns"]
    pieces: dict[int, list[int]] = {}
    for turn in heard:
        if turn["speaker"] in ("agent", "customer"):
            pieces.setdefault(truth_turn_of(turn, truth_turns, turn["speaker"]), []).append(turn["id"])
    first = {t: ids[0] for t, ids in pieces.items()}
    cues, acknowledgements = [], []
    for cue in truth["cues"]:
        for piece in pieces.get(cue["turn"], []):
            cues.append({**cue, "id": f"{cue['id']}.{piece}", "turn": piece})
            acknowledgements += [{"cue": f"{cue['id']}.{piece}", "turn": first[a["turn"]]}
                                 for a in truth["acknowledgements"] if a["cue"] == cue["id"] and a["turn"] in first]
    return {"turns": [{k: t[k] for k in ("id", "speaker", "start", "end", "text")} for t in heard], "cues": cues,
            "acknowledgements": acknowledgements, "recaps": [first[t] for t in truth["recaps"] if t in first],
            "closing_actions": [first[t] for t in truth["closing_actions"] if t in first]}


def turns_of(labels: dict) -> list[Turn]:
    turns = []
    for t in labels["turns"]:
        words = plain_text(t["text"]).split()
        turns.append(Turn(t["id"], t["speaker"], t["start"], t["end"], tuple(Word(w, t["start"], t["end"], 1.0, t["speaker"]) for w in words)))
    return turns


def examples(call_id: str, labels: dict, other_writer: bool, group: str, customer, agent) -> CallExamples:
    turns = turns_of(labels)
    one_per_call = {"recap": (set(labels["recaps"]), recap_signals(turns, agent.encoder, CheckOptions())),
                    "closing": (set(labels["closing_actions"]), closing_signals(turns, CheckOptions()))}
    cue_turn_of = {c["id"]: c["turn"] for c in labels["cues"]}
    call = CallExamples(call_id, other_writer, group, set(cue_turn_of.values()), {(cue_turn_of[a["cue"]], a["turn"]) for a in labels["acknowledgements"]},
                        one_per_call=one_per_call)
    cue_options, ack_options = CueOptions(), AcknowledgementOptions()
    apologies = find_apologies(turns)
    genuine, hollow = {a.turn for a in apologies if a.genuine}, {a.turn for a in apologies if not a.genuine}
    for turn in turns:
        if turn.speaker != CUSTOMER:
            continue
        found = candidate_cues(turn.text, cue_options, customer)
        if not found:
            continue
        call.turn_signals[turn.id] = cue_signals(turn.text, found, customer)
        for kind, span in reported_kinds(found, cue_options):
            cue = Cue(id="c", turn=turn.id, start=turn.start, end=turn.end, text=span, kind=kind.name, polarity=kind.polarity,
                      confidence=1.0, source="text")
            candidates = [(t.id, pair_signals(cue, t, position, t.id in genuine, t.id in hollow, agent))
                          for position, t in enumerate(candidate_turns(turns, turn, ack_options), start=1)]
            call.cue_pairs.append((turn.id, candidates))
    return call


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
    return [(signals, tid in c.one_per_call[name][0]) for c in calls for tid, signals in c.one_per_call[name][1].items()]


def fitted_without(calls: list[CallExamples], name: str, rows_of: Callable[[list[CallExamples]], list]) -> dict[str, Judge]:
    """Leave one call out: the call (its group) → the `name` judge fitted on the rows of every other call,
    once for all versions of that call."""
    return {group: fit(name, rows_of([c for c in calls if c.group != group])) for group in dict.fromkeys(c.group for c in calls)}


def best_turns(calls: list[CallExamples], name: str) -> dict[str, tuple[int, float]]:
    """Leave one call out: call → (the turn the `name` judge, fitted without that call, is surest of;
    its probability), as Judge.best picks it."""
    judges = fitted_without(calls, name, lambda others: one_per_call_rows(others, name))
    return {held.call_id: best for held in calls for best in judges[held.group].best(held.one_per_call[name][1], threshold=0.0)}


def fit(name: str, rows, threshold: float = 0.5, about: dict | None = None):
    return fit_judge(name, [s for s, _ in rows], [y for _, y in rows], threshold=threshold, about=about)


def scores(found: set, expected: set) -> dict[str, float]:
    """Precision, recall and F1 as `callqa evaluate` computes them; 0 where nothing was found."""
    row = f1_table({"scores": {"tp": len(found & expected), "fp": len(found - expected), "fn": len(expected - found)}})["scores"]
    return {key: 0.0 if value is None else value for key, value in row.items()}


def cue_probabilities(calls: list[CallExamples]) -> dict[tuple[str, int], float]:
    """Leave one call out: (call, customer turn) → the cue judge's probability, fitted without that call."""
    judges = fitted_without(calls, "cue", cue_rows)
    return {(held.call_id, tid): judges[held.group].probability(s) for held in calls for tid, s in held.turn_signals.items()}


def ack_probabilities(calls: list[CallExamples], kept: set[tuple[str, int]]) -> dict[tuple[str, int], dict[int, float]]:
    """Leave one call out: (call, cue turn) → agent turn → the acknowledgement judge's probability, for
    the cue turns in `kept`; as find_acknowledgements does, an agent turn answers a customer turn with
    the best of its cues."""
    judges = fitted_without(calls, "acknowledgement", ack_rows)
    found: dict[tuple[str, int], dict[int, float]] = {}
    for held in calls:
        judge = judges[held.group]
        for cue_turn, candidates in held.cue_pairs:
            if (held.call_id, cue_turn) in kept:
                best = found.setdefault((held.call_id, cue_turn), {})
                for tid, signals in candidates:
                    best[tid] = max(best.get(tid, 0.0), judge.probability(signals))
    return found


def score_table(found_at: Callable[[float], set], expected: set, among: set[str] | None = None) -> dict[float, dict]:
    """Scores at every threshold; `among`: only these calls (every call is still fitted on)."""
    inside = (lambda key: key[0] in among) if among else (lambda key: True)
    return {t: scores({f for f in found_at(t) if inside(f)}, {e for e in expected if inside(e)}) for t in THRESHOLDS}


def precision_first(table: dict, floor: float = 0.90) -> float:
    """The threshold with the best F1 among those precise enough (or the most precise, when none is);
    of equal ones, the highest: precision first."""
    sure = [t for t, row in table.items() if row["precision"] >= floor] or [max(table, key=lambda t: table[t]["precision"])]
    return max(sure, key=lambda t: (table[t]["f1"], t))


def show(title: str, table: dict, chosen: float) -> None:
    print(title)
    for t, row in table.items():
        print(f"  {'*' if t == chosen else ' '} {t:.2f}  " + "  ".join(f"{k} {v}" for k, v in row.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="cross-validate and print; write nothing")
    parser.add_argument("--asr", action="append", type=Path, default=[], metavar="RESULTS",
                        help="a `callqa run` output folder of these calls' audio: fit on what ASR heard too")
    args = parser.parse_args()
    encoder = SentenceEncoder()
    customer, agent = fit_classifier(encoder, "customer_sentences"), fit_classifier(encoder, "agent_sentences")
    labelled = labelled_calls()
    versions = [(call_id, labels, other_writer, call_id) for call_id, labels, other_writer in labelled] + asr_versions(args.asr, labelled)
    encoder.prepare([s for _, labels, _, _ in versions for t in labels["turns"] for s in split_sentences(plain_text(t["text"]))])
    calls = [examples(*version, customer, agent) for version in versions]
    cue_found = cue_probabilities(calls)

    def cues_at(t: float) -> set:
        return {key for key, p in cue_found.items() if p >= t}

    cue_expected = {(c.call_id, t) for c in calls for t in c.cue_turns}
    cue_table = score_table(cues_at, cue_expected)
    cue_threshold = precision_first(cue_table)
    show("cue turns, leave-one-call-out", cue_table, cue_threshold)
    ack_found = ack_probabilities(calls, cues_at(cue_threshold))

    def acks_at(t: float) -> set:  # the first agent turn that reaches t answers the cue turn
        return {(*key, next(tid for tid, p in sorted(turns.items()) if p >= t))
                for key, turns in ack_found.items() if max(turns.values(), default=0.0) >= t}

    ack_expected = {(c.call_id, *pair) for c in calls for pair in c.ack_pairs}
    ack_table = score_table(acks_at, ack_expected)
    ack_threshold = precision_first(ack_table)
    show(f"acknowledgements, leave-one-call-out, after the cue judge at {cue_threshold}", ack_table, ack_threshold)
    parts = {"the other writer's transcripts": {c.call_id for c in calls if c.other_writer and c.call_id == c.group},
             "the other writer's calls as ASR heard them": {c.call_id for c in calls if c.other_writer and c.call_id != c.group}}

    def show_parts(name: str, found_at: Callable[[float], set], expected: set, threshold: float) -> None:
        for part, among in parts.items():
            if among:
                print(f"  {part}: {name} {score_table(found_at, expected, among)[threshold]}")

    show_parts("cues", cues_at, cue_expected, cue_threshold)
    show_parts("acknowledgements", acks_at, ack_expected, ack_threshold)
    chosen = {"cue": (cue_rows(calls), cue_threshold, cue_table), "acknowledgement": (ack_rows(calls), ack_threshold, ack_table)}
    for name in ("recap", "closing"):
        best = best_turns(calls, name)

        def picked_at(t: float) -> set:
            return {(call_id, tid) for call_id, (tid, p) in best.items() if p >= t}

        expected = {(c.call_id, t) for c in calls for t in c.one_per_call[name][0]}
        table = score_table(picked_at, expected)
        threshold = precision_first(table)
        show(f"{name}: the one turn per call the judge is surest of, leave-one-call-out", table, threshold)
        show_parts(name, picked_at, expected, threshold)
        chosen[name] = (one_per_call_rows(calls, name), threshold, table)
    if args.check:
        return
    fitted_on = [c.call_id for c in calls]
    for name, (rows, threshold, figures) in chosen.items():
        about = {"fitted_on": fitted_on, "examples": len(rows), "positives": sum(y for _, y in rows),
                 "cross_validated": figures[threshold], "made_by": "tools/fit_judges.py"}
        judge = fit(name, rows, threshold, about)
        (JUDGES / f"{name}.json").write_text(json.dumps(judge.document(), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {JUDGES / f'{name}.json'}: {dict(zip(judge.features, (round(w, 2) for w in judge.weights)))}")


if __name__ == "__main__":
    main()
