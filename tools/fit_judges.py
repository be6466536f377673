"""Fit the cue, acknowledgement, recap and closing judges (pipeline/behaviours/judges/*.json) on the
labelled calls of all five sources (tools/writers.py: the team's own data/samples, data/labelled and
data/heldout, and four outside writers), or measure them leave-one-writer-out.

    python tools/fit_judges.py --asr R [--asr R2]   # fit on every call's transcript and on what ASR heard of
                                                    # it (R: `callqa run` results of their audio), and write
    python tools/fit_judges.py --check --asr R ...  # leave one writer out: print the table, write nothing

Each judge's threshold is chosen by leave-one-writer-out inside the calls it is fitted on
(tools/judge_fitting.py). `--check` fits the judges once per outside writer, on every other source,
runs the behaviour stages with them on that writer's calls (as text, and as heard where R holds their
audio) and prints what `callqa evaluate` measures, per writer and pooled; then the same for the judges
that ship now, for comparison."""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.behaviours.judge import JUDGES  # noqa: E402
from pipeline.behaviours.sentences import split_sentences  # noqa: E402
from pipeline.speech.transcript import plain_text  # noqa: E402
from tools.judge_fitting import THRESHOLDS, examples, fit_all  # noqa: E402
from tools.leave_one_writer_out import (leave_one_writer_out, markdown_table, pooled, seen_by_shipped,  # noqa: E402
                                        shipped_rows, text_models)
from tools.real_text import real_text_calls  # noqa: E402
from tools.writers import asr_versions, labelled_calls  # noqa: E402


def show(title: str, table: dict, chosen: float) -> None:
    print(title)
    for t in THRESHOLDS:
        print(f"  {'*' if t == chosen else ' '} {t:.2f}  " + "  ".join(f"{k} {v}" for k, v in table[t].items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="leave one writer out: print the table, write nothing")
    parser.add_argument("--asr", action="append", type=Path, default=[], metavar="RESULTS",
                        help="a `callqa run` output folder of labelled calls' audio: fit (and measure) on what ASR heard too")
    args = parser.parse_args()
    started = time.perf_counter()
    models = text_models()
    calls = labelled_calls()
    calls += asr_versions(args.asr, calls) + real_text_calls()
    models.encoder.prepare([s for c in calls for t in c.labels["turns"] for s in split_sentences(plain_text(t["text"]))])
    customer, agent = models.classifier("customer_sentences"), models.classifier("agent_sentences")
    found = [examples(c, customer, agent) for c in calls]
    if args.check:
        rows = [row for fold in leave_one_writer_out(calls, found, models) for row in fold.rows]
        print("Leave one writer out: judges fitted on every other source, measured on the writer's calls\n")
        print(markdown_table(rows + pooled(rows)))
        shipped = shipped_rows(calls, models)
        print("\nThe judges that ship now, on the same calls (calls fitted on: of the writer's calls, any version)\n")
        print(markdown_table(shipped + pooled(shipped), seen_by_shipped(calls)))
        print(f"\n{len(calls)} call versions, {time.perf_counter() - started:.0f} s")
        return
    fitted = fit_all(found)
    for name, judge in fitted.items():
        show(f"{name}: leave one writer out, at each threshold", judge.table, judge.judge.threshold)
    for name, judge in fitted.items():
        (JUDGES / f"{name}.json").write_text(json.dumps(judge.judge.document(), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {JUDGES / f'{name}.json'}: {dict(zip(judge.judge.features, (round(w, 2) for w in judge.judge.weights)))}")


if __name__ == "__main__":
    main()
