"""The behaviour stages alone on labelled calls: each call's labelled turns become a transcript (exact
words and times, no ASR), `callqa run` scores them and `callqa evaluate` compares. Seconds instead of
minutes, so detectors can be measured often; the audio run stays the final word.

    python benchmarks/labelled_text.py ../shared/data/labelled-calls-2   # any folder of <call_id>.truth.json and manifest.csv
    python benchmarks/labelled_text.py data/heldout                       # the team's own held-out calls
    CALLQA_KEEP=/tmp/text python benchmarks/labelled_text.py data/heldout # keep the results to read

With no folder, ../shared/data/labelled-calls. For figures on writers the judges were not fitted on,
run `python tools/fit_judges.py --check` (leave one writer out).
"""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT.parent / "shared" / "data" / "labelled-calls"


def write_transcript_batch(folder: Path, calls: list[str], batch: Path, truth: Path | None = None) -> None:
    """A batch folder for `callqa run`: each of `calls` (ids of `folder`'s truth files) as the
    transcript of its labelled turns, named by `folder`'s manifest row; with `truth`, links to the
    truth files there, for `callqa evaluate`."""
    rows = {row["call_id"]: row for row in csv.DictReader(open(folder / "manifest.csv"))}
    batch.mkdir(parents=True, exist_ok=True)
    with open(batch / "manifest.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["call_id", "file", "agent_id", "agent_name", "customer_name", "recorded_at", "queue"],
                                extrasaction="ignore")
        writer.writeheader()
        for call_id in calls:
            labels = json.loads((folder / f"{call_id}.truth.json").read_text())
            (batch / f"{call_id}.transcript.json").write_text(json.dumps({"turns": labels["turns"]}))
            if truth is not None:
                truth.mkdir(parents=True, exist_ok=True)
                (truth / f"{call_id}.truth.json").symlink_to(folder / f"{call_id}.truth.json")
            writer.writerow({**rows[call_id], "file": f"{call_id}.transcript.json"})


def main() -> None:
    args = sys.argv[1:]
    folder = Path(args.pop(0)).resolve() if args and not args[0].startswith("-") else LABELLED
    calls = sorted(p.name.removesuffix(".truth.json") for p in folder.glob("*.truth.json"))
    with tempfile.TemporaryDirectory(prefix="callqa-text-") as scratch:
        batch, truth = Path(scratch) / "batch", Path(scratch) / "truth"
        write_transcript_batch(folder, calls, batch, truth)
        out = Path(os.environ.get("CALLQA_KEEP") or Path(scratch) / "out")
        subprocess.run([sys.executable, "-m", "pipeline.cli", "run", str(batch), "--out", str(out)], check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL)
        subprocess.run([sys.executable, "-m", "pipeline.cli", "evaluate", "--truth", str(truth), "--results", str(out),
                        *args], check=True, cwd=ROOT)


if __name__ == "__main__":
    main()
