"""Seconds per stage over a results folder, and each stage's cost against ASR (from each result's
`timings`). The first call of a run pays for loading and compiling, so it is left out.

    callqa run BATCH --out OUT && python benchmarks/stage_costs.py OUT
"""
from __future__ import annotations

import json
import sys
from pathlib import Path


def main() -> None:
    calls = sorted(Path(sys.argv[1]).glob("calls/*.json"), key=lambda p: p.stat().st_mtime)
    timings = [json.loads(p.read_text()).get("timings") for p in calls]
    timings = [t for t in timings if t][1:]
    totals: dict[str, float] = {}
    for t in timings:
        for stage, seconds in t.items():
            totals[stage] = totals.get(stage, 0.0) + seconds
    asr = totals.get("transcribe", 0.0)
    print(f"{len(timings)} calls (the first of the run left out)")
    for stage, seconds in totals.items():
        print(f"{stage:12s} {seconds:8.2f} s  {seconds / asr if asr else float('nan'):6.3f} of ASR")


if __name__ == "__main__":
    main()
