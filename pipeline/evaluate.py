"""Results against truth labels (shared/spec/labels.md): word error rate and turn speakers."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jiwer

from .errors import QAError
from .store import read_json

_ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def _spell(number: str) -> str:
    """Numbers the way a speaker says them, so "3 to 5" and "three to five" compare equal."""
    value = int(number)
    if value < 20:
        return _ONES[value]
    if value < 100:
        return _TENS[value // 10] + ("" if value % 10 == 0 else " " + _ONES[value % 10])
    return " ".join(_ONES[int(d)] for d in number)  # long numbers are read digit by digit (accounts)


def normalize(text: str) -> str:
    text = text.lower().replace("-", " ")
    text = re.sub(r"\d+", lambda m: f" {_spell(m.group())} ", text)
    text = re.sub(r"[^a-z' ]+", " ", text).replace("'", "")
    return " ".join(text.split())


def word_error_rate(reference: str, hypothesis: str) -> tuple[float, int]:
    """WER after normalization, and the number of reference words it is over."""
    reference, hypothesis = normalize(reference), normalize(hypothesis)
    words = len(reference.split())
    if not words:
        return (0.0 if not hypothesis else 1.0), 0
    return jiwer.wer(reference, hypothesis), words


def _overlap(a: dict, b: dict) -> float:
    return max(0.0, min(a["end"], b["end"]) - max(a["start"], b["start"]))


def turn_speaker_accuracy(truth_turns: list[dict], result_turns: list[dict]) -> float | None:
    """Share of result turns whose speaker equals that of the truth turn they overlap most."""
    judged = correct = 0
    for turn in result_turns:
        best = max(truth_turns, key=lambda t: _overlap(t, turn), default=None)
        if best is None or _overlap(best, turn) == 0:
            continue
        judged += 1
        correct += best["speaker"] == turn["speaker"]
    return correct / judged if judged else None


def evaluate_call(truth: dict, result: dict) -> dict[str, Any]:
    if result.get("status") != "scored":
        return {"status": "failed"}
    reference = " ".join(t["text"] for t in truth["turns"])
    hypothesis = " ".join(t["text"] for t in result["turns"])
    wer, words = word_error_rate(reference, hypothesis)
    return {
        "wer": round(wer, 4),
        "ref_words": words,
        "turn_speaker_accuracy": turn_speaker_accuracy(truth["turns"], result["turns"]),
    }


def evaluate_folder(truth_dir: str | Path, results_dir: str | Path) -> dict[str, Any]:
    """Metrics per call with a truth file and a result, and overall (WER weighted by reference words)."""
    truth_dir, results_dir = Path(truth_dir), Path(results_dir)
    calls_dir = results_dir / "calls" if (results_dir / "calls").is_dir() else results_dir
    truths = sorted(truth_dir.glob("*.truth.json"))
    if not truths:
        raise QAError(f"{truth_dir}: no *.truth.json files", "pass the folder that holds the truth labels")
    calls: dict[str, dict] = {}
    for path in truths:
        truth = read_json(path)
        result_path = calls_dir / f"{truth['call_id']}.json"
        calls[truth["call_id"]] = evaluate_call(truth, read_json(result_path)) if result_path.exists() else {"status": "missing"}
    scored = [c for c in calls.values() if "wer" in c]
    if not scored:
        raise QAError(f"{calls_dir}: no scored results match the truth files", "run `callqa run` on the labelled calls first")
    total_words = sum(c["ref_words"] for c in scored)
    speaker = [c["turn_speaker_accuracy"] for c in scored if c["turn_speaker_accuracy"] is not None]
    overall = {
        "wer": round(sum(c["wer"] * c["ref_words"] for c in scored) / total_words, 4) if total_words else None,
        "ref_words": total_words,
        "turn_speaker_accuracy": round(sum(speaker) / len(speaker), 4) if speaker else None,
        "calls": len(scored),
        "missing_or_failed": len(calls) - len(scored),
    }
    return {"calls": calls, "overall": overall}
