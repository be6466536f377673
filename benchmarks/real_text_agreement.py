"""Agreement between hand labellings of the same real customer turns (data/real_text/, data/tweets/):
Cohen's kappa of the cue (negative / positive / none) and of the kind on the turns both labelled.

    python benchmarks/real_text_agreement.py [FIRST.yaml SECOND.yaml ...]

Without arguments: the blind second labelling of the guide's 200-item subset against the first, the
pair labeller's customer cues against the turn labellers', and the 2026-11-26 first-tweet labels
against this labelling. Each labelling was made without seeing the other (docs/real-text-labels.md)."""
from __future__ import annotations

import sys
from pathlib import Path

import yaml
from sklearn.metrics import cohen_kappa_score

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "data" / "real_text"
TURNS = [REAL / "ibm_customer_turns_dev.yaml", REAL / "ibm_customer_turns_test.yaml"]


def cues(paths: list[Path]) -> dict[str, tuple[str, str]]:
    """key → (cue, kind) from label files of either form: {cue, kind} mappings, or the tweets' plain values."""
    found = {}
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, label in data.items():
            if isinstance(label, dict) and "cue" not in label:  # a group of labels (data/tweets: first_half, set_aside)
                found |= {f"{k}:0": (str(v), "") for k, v in label.items()}  # its keys name conversations: their first turn
            else:
                found[key] = (str(label.get("cue")), str(label.get("kind", "")))
    return found


def agreement(name: str, first: dict, second: dict) -> None:
    shared = sorted(set(first) & set(second))
    if not shared:
        print(f"{name}: no turns in common")
        return
    cue = cohen_kappa_score([first[k][0] for k in shared], [second[k][0] for k in shared])
    same = sum(first[k][0] == second[k][0] for k in shared) / len(shared)
    both = [k for k in shared if first[k][1] and second[k][1] and first[k][0] == second[k][0] != "none"]
    kind = cohen_kappa_score([first[k][1] for k in both], [second[k][1] for k in both]) if len(both) > 1 else float("nan")
    print(f"{name}: {len(shared)} turns; cue kappa {cue:.3f} (agree {same:.1%}); kind kappa {kind:.3f} over {len(both)} cues both gave")


def main() -> None:
    if len(sys.argv) > 2:
        for first, second in zip(sys.argv[1::2], sys.argv[2::2]):
            agreement(f"{first} against {second}", cues([Path(first)]), cues([Path(second)]))
        return
    turns = cues(TURNS)
    second = REAL / "ibm_customer_turns_second_pass.yaml"
    if second.is_file():
        agreement("second labelling of the 200-item subset against the first", turns, cues([second]))
    agreement("the pair labeller's customer cues against the turn labellers'", turns, cues([REAL / "ibm_reply_pairs.yaml"]))
    agreement("first tweets labelled 2026-11-26 against 2026-12-03", turns, cues([ROOT / "data" / "tweets" / "ibm_customer_care.yaml"]))


if __name__ == "__main__":
    main()
