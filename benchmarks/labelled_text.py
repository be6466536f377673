"""The behaviour stages alone on ../shared/data/labelled-calls: each call's labelled turns become a
transcript (exact words and times, no ASR), `callqa run` scores them and `callqa evaluate` compares.
Seconds instead of minutes, so detectors can be measured often; the audio run stays the final word.

    python benchmarks/labelled_text.py dev          # the part tuned on (data/splits/labelled-calls.yaml)
    python benchmarks/labelled_text.py held_out     # the part set aside: measure it last
    python benchmarks/labelled_text.py data/heldout # any folder of <call_id>.truth.json (the team's own held-out calls)
    CALLQA_KEEP=/tmp/text python benchmarks/labelled_text.py dev    # keep the results to read
"""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT.parent / "shared" / "data" / "labelled-calls"


def main() -> None:
    part = sys.argv[1] if len(sys.argv) > 1 else "dev"
    folder = LABELLED
    if Path(part).is_dir():
        folder = Path(part).resolve()
        calls = sorted(p.name.removesuffix(".truth.json") for p in folder.glob("*.truth.json"))
    else:
        calls = yaml.safe_load((ROOT / "data" / "splits" / "labelled-calls.yaml").read_text())[part]
    rows = {row["call_id"]: row for row in csv.DictReader(open(folder / "manifest.csv"))}
    with tempfile.TemporaryDirectory(prefix="callqa-text-") as scratch:
        batch, truth = Path(scratch) / "batch", Path(scratch) / "truth"
        batch.mkdir()
        truth.mkdir()
        with open(batch / "manifest.csv", "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=["call_id", "file", "agent_id", "agent_name", "customer_name", "recorded_at", "queue"])
            writer.writeheader()
            for call_id in calls:
                labels = json.loads((folder / f"{call_id}.truth.json").read_text())
                (batch / f"{call_id}.transcript.json").write_text(json.dumps({"turns": labels["turns"]}))
                (truth / f"{call_id}.truth.json").symlink_to(folder / f"{call_id}.truth.json")
                writer.writerow({**rows[call_id], "file": f"{call_id}.transcript.json"})
        out = Path(os.environ.get("CALLQA_KEEP") or Path(scratch) / "out")
        subprocess.run([sys.executable, "-m", "pipeline.cli", "run", str(batch), "--out", str(out)], check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL)
        subprocess.run([sys.executable, "-m", "pipeline.cli", "evaluate", "--truth", str(truth), "--results", str(out),
                        *sys.argv[2:]], check=True, cwd=ROOT)


if __name__ == "__main__":
    main()
