"""Results against truth labels (shared/spec/labels.md) or RTTM references: word error rate, speakers,
diarization error rate and roles."""
from __future__ import annotations

import re
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any

import jiwer
from pyannote.core import Annotation, Segment
from pyannote.metrics.diarization import DiarizationErrorRate

from ..errors import QAError
from .events import event_counts, summarize_events
from ..results import read_json

# pyannote.metrics' collar is the whole width removed around each reference boundary: 0.5 is ±0.25 s.
DER_COLLAR = 0.5
WORD_TURN_TOLERANCE_S = 0.1  # a word's middle this close outside a truth turn still belongs to it
RTTM_ROLES = {"agent": "agent", "caller": "customer", "customer": "customer", "client": "customer"}

# Spellings of one word that Whisper's normalizer leaves apart
SAME_WORD = {"ok": "okay", "alright": "all right"}


@lru_cache(maxsize=1)
def _english():
    from whisper_normalizer.english import EnglishTextNormalizer

    return EnglishTextNormalizer()


def normalize(text: str) -> str:
    """Text as WER compares it, the same whichever way a number or an address is written: the labels
    spell what was said ("four hundred dollars", "the seventh", "claims at pawshore dot com") where ASR
    writes "$400", "the 7th" and "claims@pawshore.com". Whisper's own English normalizer (numbers to
    digits, fillers such as "um" dropped, British spellings to American, as Whisper's published WERs),
    after an address is put as it is said and before digits read one by one are joined into one number."""
    text = re.sub(r"(?<=\d) ,(?=\d{3}\b)", ",", text)  # ASR's words joined: "$4 ,000"
    text = re.sub(r"\S+@\S+|\b[\w-]+\.(?:com|org|net|co\.uk|gov|edu)\b",
                  lambda m: m.group().replace("@", " at ").replace(".", " dot "), text)
    text = _english()(text)
    text = re.sub(r"(?<=\d) (?=\d)", "", text)  # "4 4 7 2" as read out, and "4472"
    return " ".join(SAME_WORD.get(w, w) for w in text.split())


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


def word_speaker_accuracy(truth_turns: list[dict], result_turns: list[dict]) -> float | None:
    """Share of recognised words whose speaker is that of the truth turn around the word's middle."""
    judged = correct = 0
    for turn in result_turns:
        for word in turn["words"]:
            middle = (word["start"] + word["end"]) / 2
            holders = [t for t in truth_turns if t["start"] - WORD_TURN_TOLERANCE_S <= middle <= t["end"] + WORD_TURN_TOLERANCE_S]
            if len(holders) == 1:  # words in overlapped speech have no single right answer
                judged += 1
                correct += holders[0]["speaker"] == turn["speaker"]
    return round(correct / judged, 4) if judged else None


def _annotation(segments: list[dict], label_key: str = "speaker") -> Annotation:
    annotation = Annotation()
    for segment in segments:
        if segment["end"] > segment["start"]:
            annotation[Segment(segment["start"], segment["end"]), len(annotation)] = segment[label_key]
    return annotation


def speaker_metrics(reference: Annotation, result: dict) -> dict[str, Any]:
    """DER (pyannote.metrics, ±0.25 s collar) of the result's speaker turns, and role accuracy: the
    share of the reference's speech time whose role the result names right (labels must be roles)."""
    hypothesis = _annotation(result.get("diarization") or result["turns"])
    with warnings.catch_warnings():  # pyannote warns that the scored extent is the union of both
        warnings.simplefilter("ignore", UserWarning)
        der = DiarizationErrorRate(collar=DER_COLLAR)(reference, hypothesis)
    if not set(reference.labels()) <= {"agent", "customer", "other"}:
        return {"der": round(float(der), 4), "role_accuracy": None}  # speakers without roles: DER only
    right = total = 0.0
    for segment, _, role in reference.itertracks(yield_label=True):
        total += segment.duration
        right += hypothesis.crop(segment).label_timeline(role).duration() if role in hypothesis.labels() else 0.0
    return {"der": round(float(der), 4), "role_accuracy": round(right / total, 4) if total else None}


def speaking_rate_error(truth_turns: list[dict], result_turns: list[dict]) -> float | None:
    """Largest relative error, over the parties, of words per second of turn time (the rate the
    truth turns imply: their words over their durations)."""
    errors = []
    for speaker in ("agent", "customer"):
        truth = [t for t in truth_turns if t["speaker"] == speaker]
        mine = [t for t in result_turns if t["speaker"] == speaker and t["words"]]
        truth_time = sum(t["end"] - t["start"] for t in truth)
        my_time = sum(t["end"] - t["start"] for t in mine)
        if truth_time > 0 and my_time > 0:
            expected = sum(len(normalize(t["text"]).split()) for t in truth) / truth_time
            measured = sum(len(normalize(t["text"]).split()) for t in mine) / my_time
            errors.append(abs(measured - expected) / expected)
    return round(max(errors), 4) if errors else None


def evaluate_call(truth: dict, result: dict) -> dict[str, Any]:
    if result.get("status") != "scored":
        return {"status": "failed"}
    reference = " ".join(t["text"] for t in truth["turns"])
    hypothesis = " ".join(t["text"] for t in result["turns"])
    wer, words = word_error_rate(reference, hypothesis)
    return {
        "wer": round(wer, 4),
        "ref_words": words,
        **_party_wer(truth["turns"], result["turns"]),
        "turn_speaker_accuracy": turn_speaker_accuracy(truth["turns"], result["turns"]),
        "word_speaker_accuracy": word_speaker_accuracy(truth["turns"], result["turns"]),
        "rate_error": speaking_rate_error(truth["turns"], result["turns"]),
        **speaker_metrics(_annotation(truth["turns"]), result),
        "behaviours": event_counts(truth, result),
    }


def read_rttm_references(folder: Path) -> dict[str, Annotation]:
    """RTTM files in `folder` by name (`aws_40.approx.rttm` → `aws_40`), labels mapped to roles."""
    references = {}
    for path in sorted(folder.glob("*.rttm")):
        annotation = Annotation()
        for line in path.read_text().splitlines():
            fields = line.split()
            if len(fields) >= 8 and fields[0] == "SPEAKER":
                start, duration = float(fields[3]), float(fields[4])
                annotation[Segment(start, start + duration), len(annotation)] = RTTM_ROLES.get(fields[7].lower(), fields[7].lower())
        references[path.name.split(".")[0]] = annotation
    return references


def evaluate_folder(truth_dirs: str | Path | list, results_dir: str | Path) -> dict[str, Any]:
    """Metrics per call with a truth file and a result, and overall (WER weighted by reference words)."""
    truth_dirs = [Path(d) for d in (truth_dirs if isinstance(truth_dirs, list) else [truth_dirs])]
    results_dir = Path(results_dir)
    calls_dir = results_dir / "calls" if (results_dir / "calls").is_dir() else results_dir
    truths = sorted(p for d in truth_dirs for p in d.glob("*.truth.json"))
    rttms = {name: ref for d in truth_dirs for name, ref in read_rttm_references(d).items()}
    if not truths and not rttms:
        raise QAError(f"{', '.join(map(str, truth_dirs))}: no *.truth.json or *.rttm files", "pass the folder that holds the truth labels")
    calls: dict[str, dict] = {}
    for path in truths:
        truth = _read_document(path, "truth label", "call_id", "turns")
        result_path = calls_dir / f"{truth['call_id']}.json"
        calls[truth["call_id"]] = (evaluate_call(truth, _read_document(result_path, "result", "status"))
                                   if result_path.exists() else {"status": "missing"})
    for name, reference in rttms.items():
        # an RTTM named after a recording applies to every call cut from it (`aws_40.mono`, `aws_40.stereo`)
        for result_path in sorted(calls_dir.glob(f"{name}*.json")):
            call_id = result_path.stem
            if call_id not in calls and (call_id == name or call_id.startswith(name + ".")):
                result = _read_document(result_path, "result", "status")
                calls[call_id] = speaker_metrics(reference, result) if result.get("status") == "scored" else {"status": "failed"}
    scored = [c for c in calls.values() if "der" in c]
    if not scored:
        raise QAError(f"{calls_dir}: no scored results match the truth files", "run `callqa run` on the labelled calls first")
    report = {"calls": calls, "overall": _overall(calls)}
    behaviours = [c.pop("behaviours") for c in calls.values() if "behaviours" in c]
    if behaviours:
        report["behaviours"] = summarize_events(behaviours)
    return report


def _read_document(path: Path, what: str, *required: str) -> dict[str, Any]:
    """A JSON document with the keys evaluation needs, or a QAError that names the file and the fault."""
    try:
        document = read_json(path)
    except (OSError, UnicodeDecodeError) as error:
        raise QAError(f"{path}: cannot read this {what}: {error}") from error
    except ValueError as error:
        raise QAError(f"{path}: this {what} is not valid JSON: {error}", "fix the file or move it out of the folder") from error
    missing = [key for key in required if not isinstance(document, dict) or key not in document]
    if missing:
        spec = "docs/labels.md" if what == "truth label" else "docs/results.md"
        raise QAError(f"{path}: this {what} lacks {', '.join(missing)}", f"see {spec} for its format")
    return document


def _party_wer(truth_turns: list[dict], result_turns: list[dict]) -> dict[str, Any]:
    """WER of each party's words: what the labels say the agent said against what the result gives the
    agent, and the same for the customer (a turn given to the wrong party counts against both)."""
    found = {}
    for party in ("agent", "customer"):
        wer, words = word_error_rate(" ".join(t["text"] for t in truth_turns if t["speaker"] == party),
                                     " ".join(t["text"] for t in result_turns if t["speaker"] == party))
        found |= {f"wer_{party}": round(wer, 4), f"ref_words_{party}": words} if words else {}
    return found


def _weighted_wer(rows: list[dict], suffix: str = "") -> float | None:
    words = sum(row[f"ref_words{suffix}"] for row in rows if f"wer{suffix}" in row)
    return round(sum(row[f"wer{suffix}"] * row[f"ref_words{suffix}"] for row in rows if f"wer{suffix}" in row) / words, 4) if words else None


def _mean(rows: list[dict], key: str) -> float | None:
    values = [row[key] for row in rows if row.get(key) is not None]
    return round(sum(values) / len(values), 4) if values else None


def _overall(calls: dict[str, dict]) -> dict[str, Any]:
    """WER weighted by reference words; the rest averaged over calls; roles_right counts calls whose
    roles are right for most of their speech."""
    scored = [c for c in calls.values() if "der" in c]
    return {
        "wer": _weighted_wer(scored),
        "wer_agent": _weighted_wer(scored, "_agent"),
        "wer_customer": _weighted_wer(scored, "_customer"),
        "ref_words": sum(c["ref_words"] for c in scored if "wer" in c),
        **{key: _mean(scored, key) for key in ("turn_speaker_accuracy", "word_speaker_accuracy", "der", "role_accuracy", "rate_error")},
        "roles_right": sum(1 for c in scored if (c.get("role_accuracy") or 0) > 0.5),
        "calls": len(scored),
        "missing_or_failed": len(calls) - len(scored),
    }
