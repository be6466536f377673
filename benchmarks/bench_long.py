"""One long recording of real speech through `callqa run`: wall time, throughput and peak memory,
against one copy of the call it is made from.

    python benchmarks/bench_long.py [--hours 3] [--call FILE]

The recording is the call (default: ../shared/data/calls/aws_auto_repairs_40.mono.wav) repeated with
2 s pauses until it lasts `--hours`, written as 16 kHz FLAC to a temporary folder. Each run is its
own process, so its peak resident memory is its own.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CALL = ROOT.parent / "shared" / "data" / "calls" / "aws_auto_repairs_40.mono.wav"
RATE = 16000


def write_long(call: Path, hours: float, path: Path) -> None:
    from pipeline.speech.audio import load_audio

    piece = np.concatenate([load_audio(call).segment(), np.zeros(2 * RATE, dtype=np.float32)])
    total = int(hours * 3600 * RATE)
    with soundfile.SoundFile(path, "w", RATE, 1, format="FLAC", subtype="PCM_16") as handle:
        for start in range(0, total, len(piece)):
            handle.write(piece[:total - start])


def run(batch: Path, out: Path) -> tuple[float, float]:
    """Seconds and peak resident MB of `callqa run batch`."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "run", str(batch), "--out", str(out)],
                                   stdout=subprocess.DEVNULL, stderr=errors, cwd=ROOT)
        _, status, usage = os.wait4(process.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            sys.exit(errors.read().decode())
    return time.perf_counter() - started, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hours", type=float, default=3.0)
    parser.add_argument("--call", type=Path, default=DEFAULT_CALL)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        (folder / "short").mkdir(), (folder / "long").mkdir()
        (folder / "short" / args.call.name).symlink_to(args.call.resolve())
        write_long(args.call, args.hours, folder / "long" / "long.flac")
        print(f"{'recording':28s} {'audio h':>8s} {'wall s':>8s} {'h/h':>6s} {'peak MB':>8s}  speakers, agent's share of turns")
        for name, hours in (("short", None), ("long", args.hours)):
            seconds, peak = run(folder / name, folder / f"{name}_out")
            audio_h = hours if hours else soundfile.info(str(args.call)).duration / 3600
            document = json.loads(next((folder / f"{name}_out" / "calls").glob("*.json")).read_text())
            turns = document["turns"]
            agent = sum(t["speaker"] == "agent" for t in turns) / max(1, len(turns))
            print(f"{name + ' (' + args.call.name[:18] + ')':28s} {audio_h:8.3f} {seconds:8.1f} {audio_h * 3600 / seconds:6.1f} {peak:8.0f}"
                  f"  {len(document['roles']['speakers'])}, {agent:.2f} of {len(turns)}")


if __name__ == "__main__":
    main()
