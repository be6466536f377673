"""What ASR hears, per labelled set and per party: WER, and the customer's name-use recall beside it,
for each ASR model with and without hot words.

    python benchmarks/bench_words.py [--sets labelled-calls labelled-calls-2] [--models embedded:tiny.en embedded:base]
                                     [--hot-words on off] [--no-repeat-ngram 0 5] [--out out/bench_words]

Each labelled set of ../shared/data is run as its manifest gives it (the stereo files, the people's
names for hot words) through the whole pipeline, then compared with its truth labels as `callqa
evaluate` does: WER after the number-neutral normalization of the label README (numbers spelled out),
per party by the labelled speaker, and name use matched to labelled turns. A variant's results are kept
in OUT/<variant>_<set>/ and reused on the next call (delete the folder, or --force, to run it again).
"""
from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))


def manifest_batch(labelled: Path, into: Path) -> Path:
    """A batch folder of links to the files the set's manifest names, with that manifest."""
    import csv

    into.mkdir(parents=True, exist_ok=True)
    with open(labelled / "manifest.csv", newline="", encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            link = into / row["file"]
            if not link.exists():
                os.symlink(labelled / row["file"], link)
    (into / "manifest.csv").write_bytes((labelled / "manifest.csv").read_bytes())
    return into


def run_variant(labelled: Path, out: Path, model: str, hot_words: bool, no_repeat: int, force: bool) -> None:
    from pipeline.batch import run_batch
    from pipeline.config import AsrOptions, PipelineOptions
    from pipeline.manifest import discover_calls

    if (out / "summary.json").is_file() and not force:
        return
    with tempfile.TemporaryDirectory() as batch:
        specs = discover_calls(manifest_batch(labelled, Path(batch)))
        options = PipelineOptions(asr=AsrOptions(model=model, hot_words=hot_words, no_repeat_ngram_size=no_repeat))
        run_batch(specs, out, options=options, force=True)


def figures(labelled: Path, out: Path) -> dict:
    """The set's overall WERs, the reference words under each (to weigh sets when pooling), name counts."""
    from pipeline.evaluate import evaluate_folder

    report = evaluate_folder([labelled], out)
    names = report["behaviours"]["events"]["name_use"]
    calls = report["calls"].values()
    return {**{k: report["overall"][k] for k in ("wer", "wer_agent", "wer_customer", "calls")},
            "names": (names["tp"], names["fp"], names["fn"]),
            "words": {f"wer{suffix}": sum(c.get(f"ref_words{suffix}", 0) for c in calls) for suffix in ("", "_agent", "_customer")}}


def pooled(rows: list[dict]) -> dict:
    """Both sets together: WERs weighted by the words of each, name counts summed."""
    tp, fp, fn = (sum(r["names"][i] for r in rows) for i in range(3))
    return {"calls": sum(r["calls"] for r in rows), "names": (tp, fp, fn),
            **{k: round(sum(r[k] * r["words"][k] for r in rows) / sum(r["words"][k] for r in rows), 4)
               for k in ("wer", "wer_agent", "wer_customer")}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", nargs="+", default=["labelled-calls", "labelled-calls-2"])
    parser.add_argument("--models", nargs="+", default=["embedded:tiny.en", "embedded:base"])
    parser.add_argument("--hot-words", nargs="+", choices=["on", "off"], default=["off", "on"])
    parser.add_argument("--no-repeat-ngram", nargs="+", type=int, default=[0])
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "bench_words")
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()
    print(f"{'variant':38s} {'set':18s} {'calls':>5s} {'WER':>6s} {'agent':>6s} {'cust.':>6s}  name P / R (tp fp fn)")
    for model, hot, no_repeat in itertools.product(args.models, args.hot_words, args.no_repeat_ngram):
        variant = f"{model.split(':')[-1]}{'+hot' if hot == 'on' else ''}{f'+nr{no_repeat}' if no_repeat else ''}"
        rows = []
        for name in args.sets:
            out = args.out / f"{variant}_{name}"
            run_variant(SHARED / name, out, model, hot == "on", no_repeat, args.force)
            row = figures(SHARED / name, out)
            rows.append(row)
            _print(variant, name, row)
        if len(rows) > 1:
            _print(variant, "pooled", pooled(rows))


def _print(variant: str, name: str, row: dict) -> None:
    tp, fp, fn = row["names"]
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    print(f"{variant:38s} {name:18s} {row['calls']:5d} {row['wer']:6.3f} {row['wer_agent']:6.3f} {row['wer_customer']:6.3f}  "
          f"{precision:.2f} / {recall:.2f} ({tp} {fp} {fn})", flush=True)


if __name__ == "__main__":
    main()
