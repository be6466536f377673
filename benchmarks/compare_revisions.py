"""`callqa run` at another git revision against the working tree, on the same files, timed in turns
(old, new, old, new, …) in one sitting, so that the machine's drift falls on both alike. Prints each
run, then the median wall time and the median peak memory of each, and new/old.

    python benchmarks/compare_revisions.py 29f2fb9                 # the shared stereo calls, 3 rounds
    python benchmarks/compare_revisions.py HEAD~3 FILE... --rounds 5

Each revision runs from its own tree (`python -m pipeline.cli` with that tree as the working folder),
with this environment's packages, over a fresh output folder each time.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "calls"


def measure(command: list[str], cwd: Path) -> dict:
    """Run `command` in `cwd` as a child; wall seconds and the child's peak RSS in MiB."""
    wrapper = (
        "import json,resource,subprocess,sys,time;t=time.perf_counter();rc=subprocess.call(sys.argv[1:],"
        "stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL);s=time.perf_counter()-t;"
        "print(json.dumps({'rc':rc,'seconds':s,'peak_mib':resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024}))"
    )
    output = subprocess.run([sys.executable, "-c", wrapper, *command], capture_output=True, text=True, check=True, cwd=cwd)
    return json.loads(output.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", help="the git revision to compare with (a commit, tag or branch)")
    parser.add_argument("files", nargs="*", help="recordings (default: the shared stereo calls)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    files = [Path(f).resolve() for f in args.files] or sorted(SHARED.glob("*.stereo.*"))
    if not files:
        sys.exit(f"no recordings: pass files, or place the shared data at {SHARED}")
    with tempfile.TemporaryDirectory(prefix="callqa-compare-") as scratch:
        scratch = Path(scratch)
        batch = scratch / "batch"
        batch.mkdir()
        for file in files:
            (batch / file.name).symlink_to(file)
        old_tree = scratch / "old"
        subprocess.run(["git", "worktree", "add", "--detach", str(old_tree), args.old], cwd=ROOT, check=True, capture_output=True)
        try:
            runs: dict[str, list[dict]] = {"old": [], "new": []}
            for round_ in range(args.rounds):
                for name, tree in (("old", old_tree), ("new", ROOT)):
                    out = scratch / f"out-{name}-{round_}"
                    run = measure([sys.executable, "-m", "pipeline.cli", "run", str(batch), "--out", str(out)], tree)
                    if run["rc"] != 0:
                        sys.exit(f"{name} run failed with exit code {run['rc']}")
                    runs[name].append(run)
                    print(f"round {round_ + 1} {name}: {run['seconds']:7.1f} s  {run['peak_mib']:7.0f} MiB", flush=True)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old_tree)], cwd=ROOT, capture_output=True)
    median = {name: (statistics.median(r["seconds"] for r in rs), statistics.median(r["peak_mib"] for r in rs))
              for name, rs in runs.items()}
    print(f"{len(files)} files, {args.rounds} rounds")
    for name, (seconds, peak) in median.items():
        print(f"{name}: median {seconds:.1f} s, peak memory {peak:.0f} MiB")
    print(f"new/old wall time: {median['new'][0] / median['old'][0]:.3f}")


if __name__ == "__main__":
    main()
