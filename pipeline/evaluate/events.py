"""Behaviour events against truth labels: precision, recall and F1 per event type, acknowledgement
latency error, genuine-apology accuracy. Events are matched to labelled turns by time: an event
belongs to the truth turn of its own speaker that its time span overlaps most (an agent who starts
before the customer stops says their words inside the customer's turn too)."""
from __future__ import annotations

from statistics import median
from typing import Any

# cue_kind: the kinds shown on labelled cue turns against the kinds labelled there (a turn found with
# the wrong kind is a right cue but a false kind: "anger" on a worried customer misleads a coach)
EVENT_TYPES = ("cue", "cue_kind", "acknowledgement", "name_use", "recap", "closing_action", "apology")
JUDGED_TYPES = ("cue", "acknowledgement", "recap", "closing_action")  # events a learned judge gives a confidence


def truth_turn_of(event: dict, truth_turns: list[dict], speaker: str | None = None) -> int | None:
    """The id of the truth turn that holds the event: of `speaker`'s turns, the one it overlaps most;
    when it overlaps none of them (or no speaker is given), of all turns the one it overlaps most, or
    the one around its middle."""
    own = [t for t in truth_turns if t["speaker"] == speaker]
    for turns in (own, truth_turns):
        overlaps = [(_overlap(turn, event), turn["id"]) for turn in turns]
        overlap, best = max(overlaps, key=lambda o: o[0], default=(0.0, None))  # of equals, the first
        if overlap > 0:
            return best
    if not truth_turns:
        return None
    middle = (event["start"] + event["end"]) / 2
    return min(truth_turns, key=lambda t: min(abs(t["start"] - middle), abs(t["end"] - middle)))["id"]


def _overlap(turn: dict, event: dict) -> float:
    return min(turn["end"], event["end"]) - max(turn["start"], event["start"])


def _counts(predicted: set, expected: set) -> dict[str, int]:
    return {"tp": len(predicted & expected), "fp": len(predicted - expected), "fn": len(expected - predicted)}


def event_counts(truth: dict, result: dict) -> dict[str, Any]:
    """TP/FP/FN per event type for one call, the latency errors of matched acknowledgements, and
    apologies judged (matched apology turns) and judged right (genuine or not)."""
    turns = truth["turns"]
    events = result.get("events", [])
    speaker_of = {t["id"]: t["speaker"] for t in result.get("turns", [])}
    where = {e["id"]: truth_turn_of(e, turns, speaker_of.get(e.get("turn"))) for e in events}
    of_type = lambda kind: [e for e in events if e["type"] == kind]  # noqa: E731
    cue_turn = {e["id"]: where[e["id"]] for e in of_type("cue")}
    truth_cue_turn = {c["id"]: c["turn"] for c in truth.get("cues", [])}

    predicted_acks = {(cue_turn.get(e["cue"]), where[e["id"]]): e for e in of_type("acknowledgement")}
    expected_acks = {(truth_cue_turn[a["cue"]], a["turn"]) for a in truth.get("acknowledgements", [])}
    latency_errors = []
    for pair in set(predicted_acks) & expected_acks:
        cue_t, ack_t = pair
        expected_latency = turns[ack_t]["start"] - turns[cue_t]["end"]
        latency_errors.append(abs(predicted_acks[pair]["latency_s"] - expected_latency))

    predicted_apologies = {where[e["id"]]: e["genuine"] for e in of_type("apology")}
    expected_apologies = {a["turn"]: a["genuine"] for a in truth.get("apologies", [])}
    judged = set(predicted_apologies) & set(expected_apologies)

    labelled_kinds = {(c["turn"], c["kind"]) for c in truth.get("cues", []) if c.get("kind")}
    kinds_labelled_at = {turn for turn, _ in labelled_kinds}
    found = {
        "cue": set(cue_turn.values()),
        "cue_kind": {(where[e["id"]], e.get("kind", "")) for e in of_type("cue") if where[e["id"]] in kinds_labelled_at},
        "acknowledgement": set(predicted_acks),
        "name_use": {where[e["id"]] for e in of_type("name_use")},
        "recap": {where[e["id"]] for e in of_type("recap")},
        "closing_action": {where[e["id"]] for e in of_type("closing_action")},
        "apology": set(predicted_apologies),
    }
    expected = {
        "cue": set(truth_cue_turn.values()), "cue_kind": labelled_kinds, "acknowledgement": expected_acks,
        "name_use": set(truth.get("name_uses", [])), "recap": set(truth.get("recaps", [])), "closing_action": set(truth.get("closing_actions", [])), "apology": set(expected_apologies),
    }
    counts = {kind: _counts(found[kind], expected[kind]) for kind in EVENT_TYPES}
    return {
        "counts": counts,
        "errors": {kind: _errors(kind, found[kind], expected[kind], turns, truth.get("call_id", "")) for kind in EVENT_TYPES},
        # (confidence, right) of every event that has a confidence, for the reliability tables
        "confidences": {
            "acknowledgement": [(e["confidence"], pair in expected_acks) for pair, e in predicted_acks.items() if e.get("confidence") is not None],
            **{kind: [(e["confidence"], where[e["id"]] in expected[kind]) for e in of_type(kind) if e.get("confidence") is not None]
               for kind in ("cue", "recap", "closing_action")},
        },
        "latency_errors": latency_errors,
        "apologies_judged": len(judged),
        "apologies_right": sum(predicted_apologies[t] == expected_apologies[t] for t in judged),
    }


def _errors(event_type: str, found: set, expected: set, turns: list[dict], call_id: str) -> list[dict[str, Any]]:
    """Every false event and every miss, with the words of its turn, for a person to read."""
    def text_of(turn: int | None) -> str:
        return turns[turn]["text"] if turn is not None and turn < len(turns) else ""

    def described(key, error: str) -> dict[str, Any]:
        if event_type == "cue_kind":  # (turn, kind)
            return {"call": call_id, "error": error, "turn": key[0], "text": text_of(key[0]), "kind": key[1]}
        if event_type == "acknowledgement":  # (cue turn, agent turn)
            return {"call": call_id, "error": error, "turn": key[1], "text": text_of(key[1]), "cue_turn": key[0], "cue_text": text_of(key[0])}
        return {"call": call_id, "error": error, "turn": key, "text": text_of(key)}
    return ([described(k, "false") for k in sorted(found - expected, key=str)] +
            [described(k, "missed") for k in sorted(expected - found, key=str)])


RELIABILITY_BINS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.01)


def reliability(pairs: list[tuple[float, bool]]) -> list[dict[str, Any]]:
    """Of the events given each band of confidence, how many were right."""
    rows = []
    for low, high in zip((0.0,) + RELIABILITY_BINS[:-1], RELIABILITY_BINS):
        inside = [right for confidence, right in pairs if low <= confidence < high]
        if inside:
            rows.append({"confidence": f"{low:.1f}-{min(high, 1.0):.1f}", "events": len(inside), "right": sum(inside),
                         "share_right": _r(sum(inside) / len(inside))})
    return rows


def f1_table(counts: dict[str, dict[str, int]]) -> dict[str, dict[str, float | None]]:
    table = {}
    for kind, c in counts.items():
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else None
        recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else None
        f1 = 2 * precision * recall / (precision + recall) if precision and recall else (0.0 if precision is not None and recall is not None else None)
        table[kind] = {"precision": _r(precision), "recall": _r(recall), "f1": _r(f1), **c}
    return table


def summarize_events(per_call: list[dict[str, Any]]) -> dict[str, Any]:
    """Pool the counts of many calls into one table, the median latency error and apology accuracy."""
    pooled = {kind: {"tp": 0, "fp": 0, "fn": 0} for kind in EVENT_TYPES}
    errors, judged, right = [], 0, 0
    mistakes: dict[str, list] = {kind: [] for kind in EVENT_TYPES}
    confidences: dict[str, list[tuple[float, bool]]] = {kind: [] for kind in JUDGED_TYPES}
    for call in per_call:
        for kind, c in call["counts"].items():
            for key in ("tp", "fp", "fn"):
                pooled[kind][key] += c[key]
            mistakes[kind] += call.get("errors", {}).get(kind, [])
        for kind, pairs in call.get("confidences", {}).items():
            confidences[kind] += pairs
        errors += call["latency_errors"]
        judged += call["apologies_judged"]
        right += call["apologies_right"]
    return {
        "events": f1_table(pooled),
        "ack_latency_error_median_s": _r(median(errors)) if errors else None,
        "ack_latency_errors": len(errors),
        "genuine_apology_accuracy": _r(right / judged) if judged else None,
        "apologies_judged": judged,
        "reliability": {kind: reliability(pairs) for kind, pairs in confidences.items()},
        "errors": mistakes,
    }


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
