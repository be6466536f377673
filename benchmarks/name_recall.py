"""Name use against the labels, from stored turns: re-runs `find_name_uses` (the manifest's customer
name) on each call's turns and matches the events to labelled turns as `callqa evaluate` does, so the
name rule can be measured in seconds on ASR output already made, without transcribing again.

    python benchmarks/name_recall.py RESULTS:TRUTH [RESULTS:TRUTH | TRUTH ...]

RESULTS:TRUTH  a folder (or a glob: 'calls/*.mono.json') of per-call result JSONs (`callqa run
               --out`, its calls/) and the folder of their `<call_id>.truth.json`: the turns ASR heard.
TRUTH          a folder of `<call_id>.truth.json` alone: their labelled turns, as exact text (words
               spread evenly over each turn, as a transcript is read).

    python benchmarks/name_recall.py /tmp/asr/base_tiny_labelled-calls-2/calls:../shared/data/labelled-calls-2 \\
        ../shared/data/labelled-text/t1

Prints precision, recall and F1 per set and pooled, then every miss and false hit with its words.
"""
from __future__ import annotations

import glob
import json
import sys
from pathlib import Path

from pipeline.behaviours.checks import find_name_uses
from pipeline.evaluate.events import event_counts, f1_table, truth_turn_of
from pipeline.models import Turn, Word
from pipeline.results import event_document, turn_from_document


def exact_turns(truth: dict) -> list[Turn]:
    """The labelled turns as a transcript gives them: words spread evenly over each turn."""
    turns = []
    for turn in truth["turns"]:
        said = turn["text"].split()
        step = (turn["end"] - turn["start"]) / max(len(said), 1)
        words = tuple(Word(w, turn["start"] + i * step, turn["start"] + (i + 1) * step, 1.0, turn["speaker"]) for i, w in enumerate(said))
        turns.append(Turn(turn["id"], turn["speaker"], turn["start"], turn["end"], words))
    return turns


def calls(spec: str):
    """(call id, truth, turns, customer name, agent name) of each call of a set. A result is matched to
    the truth of its call id's stem ("c0201.mono" is c0201); names missing from it come from the truth."""
    results, _, truth_dir = spec.rpartition(":")
    if not results:
        for path in sorted(Path(truth_dir).glob("*.truth.json")):
            truth = json.loads(path.read_text())
            yield path.name.removesuffix(".truth.json"), truth, exact_turns(truth), *people(truth, truth)
        return
    paths = sorted(glob.glob(results)) if glob.has_magic(results) else sorted(Path(results).glob("*.json"))
    for path in map(Path, paths):
        truth_path = Path(truth_dir) / f"{path.name.split('.')[0]}.truth.json"
        if truth_path.exists():
            document, truth = json.loads(path.read_text()), json.loads(truth_path.read_text())
            yield path.stem, truth, [turn_from_document(t) for t in document.get("turns", [])], *people(document, truth)


def people(document: dict, truth: dict) -> tuple[str, str]:
    """The customer's and the agent's names, as the manifest gave them (the truth's where it did not)."""
    return tuple((document.get(who) or {}).get("name") or (truth.get(who) or {}).get("name", "") for who in ("customer", "agent"))


def measure(spec: str) -> tuple[dict[str, int], list[str]]:
    counts, lines = {"tp": 0, "fp": 0, "fn": 0}, []
    for call_id, truth, turns, customer, agent in calls(spec):
        events, _ = find_name_uses(turns, customer, agent_name=agent)
        result = {"events": [event_document(e) for e in events], "turns": [{"id": t.id, "speaker": t.speaker} for t in turns]}
        found = event_counts(truth, result)
        for key in counts:
            counts[key] += found["counts"]["name_use"][key]
        heard = {}  # truth turn → the words counted there
        for event in result["events"]:
            heard.setdefault(truth_turn_of(event, truth["turns"], "agent"), []).append(event["text"])
        for error in found["errors"]["name_use"]:
            words = f"  heard: {' | '.join(heard[error['turn']])}" if error["turn"] in heard else ""
            lines.append(f"  {error['error']:6} {call_id} turn {error['turn']} ({customer}): {error['text']}{words}")
    return counts, lines


def row(name: str, counts: dict[str, int]) -> str:
    table = f1_table({"name_use": counts})["name_use"]
    show = lambda v: "  -  " if v is None else f"{v:.3f}"  # noqa: E731
    return (f"{name:58} precision {show(table['precision'])}  recall {show(table['recall'])}  F1 {show(table['f1'])}"
            f"  (tp {counts['tp']}, fp {counts['fp']}, fn {counts['fn']})")


def main() -> None:
    specs = sys.argv[1:]
    if not specs:
        sys.exit(__doc__)
    pooled, errors = {"tp": 0, "fp": 0, "fn": 0}, []
    for spec in specs:
        counts, lines = measure(spec)
        print(row(spec, counts))
        errors += [f"{spec}:", *lines] if lines else []
        for key in pooled:
            pooled[key] += counts[key]
    if len(specs) > 1:
        print(row("pooled", pooled))
    print("\n".join(["", "misses and false hits:", *errors]) if errors else "\nno misses, no false hits")


if __name__ == "__main__":
    main()
