"""Cues and acknowledgements on the hand-labelled real customer-care tweets (tools/real_text.py): each
labelled customer turn, with the agent's reply where the pair labels have one, run through the pipeline as
`callqa run` runs a transcript, with the judges that ship, and measured as `callqa evaluate` measures
events. A tweet labelled negative or positive is a labelled cue in its turn.

    python benchmarks/real_text.py            # the set-aside part (never fitted on): the figure to report
    python benchmarks/real_text.py --fitted   # the part the judges are fitted on, for comparison
"""
from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.evaluate.events import event_counts, summarize_events  # noqa: E402
from pipeline.manifest import discover_calls  # noqa: E402
from pipeline.results import call_document  # noqa: E402
from pipeline.run import analyse_call  # noqa: E402
from tools.leave_one_writer_out import text_models  # noqa: E402
from tools.real_text import real_text_calls  # noqa: E402


def main() -> None:
    aside = "--fitted" not in sys.argv[1:]
    calls = real_text_calls(aside=aside)
    models = text_models()
    truth = {c.call_id.replace(":", "_"): c.truth for c in calls}
    with tempfile.TemporaryDirectory(prefix="callqa-real-text-") as scratch:
        for call_id, labels in truth.items():
            (Path(scratch) / f"{call_id}.transcript.json").write_text(json.dumps({"turns": labels["turns"]}))
        counts = [event_counts(truth[spec.call_id], call_document(analyse_call(spec, models))) for spec in discover_calls(Path(scratch))]
    events = summarize_events(counts)["events"]
    print(f"{'set-aside' if aside else 'fitted-on'} real text: {len(calls)} customer turns, "
          f"{sum(len(c.truth['turns']) == 2 for c in calls)} with the agent's reply")
    for kind in ("cue", "acknowledgement"):
        row = events[kind]
        figures = ", ".join(f"{k} {row[k]:.2f}" if row[k] is not None else f"{k} –" for k in ("precision", "recall", "f1"))
        print(f"  {kind}: {figures} (tp {row['tp']}, fp {row['fp']}, fn {row['fn']})")


if __name__ == "__main__":
    main()
