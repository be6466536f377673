"""Cue precision and recall on real customer language: the hand-labelled first tweets of
data/tweets/ibm_customer_care.yaml (texts read from ../shared/data/text/ibm_twitter_customer_care).
Each tweet becomes a one-turn transcript (its @handles and links removed, as a chat export would show
it), `callqa run` scores them and `callqa evaluate` compares: a tweet labelled negative or positive is
a labelled cue in its one turn.

    python benchmarks/tweets.py set_aside      # the part to report (nothing was tuned on either)
    python benchmarks/tweets.py first_half
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
TWEETS = ROOT.parent / "shared" / "data" / "text" / "ibm_twitter_customer_care"
NOISE = re.compile(r"(^|\s)[@.]?@\w+|https?://\S+|\blink\b$")


def first_customer_tweets() -> dict[str, str]:
    tweets = {}
    for part in ("dev", "test"):
        for index, conversation in enumerate(json.loads((TWEETS / f"{part}.json").read_text())):
            first = next((m["message"] for m in conversation["dialogContent"] if "client" in m), None)
            if first is not None:
                tweets[f"{part}:{index}"] = " ".join(NOISE.sub(" ", first).split())
    return tweets


def main() -> None:
    part = sys.argv[1] if len(sys.argv) > 1 else "set_aside"
    labels = yaml.safe_load((ROOT / "data" / "tweets" / "ibm_customer_care.yaml").read_text())[part]
    tweets = first_customer_tweets()
    with tempfile.TemporaryDirectory(prefix="callqa-tweets-") as scratch:
        batch, truth = Path(scratch) / "batch", Path(scratch) / "truth"
        batch.mkdir()
        truth.mkdir()
        for key, label in labels.items():
            call_id = "tweet_" + key.replace(":", "_")
            turn = {"id": 0, "speaker": "customer", "start": 0.0, "end": 5.0, "text": tweets[key]}
            (batch / f"{call_id}.transcript.json").write_text(json.dumps({"turns": [turn]}))
            cues = [] if label == "none" else [{"id": "c1", "turn": 0, "polarity": label, "kind": "", "text": tweets[key]}]
            (truth / f"{call_id}.truth.json").write_text(json.dumps({"call_id": call_id, "turns": [turn], "cues": cues,
                                                                     "acknowledgements": []}))
        out = Path(os.environ.get("CALLQA_KEEP") or Path(scratch) / "out")
        subprocess.run([sys.executable, "-m", "pipeline.cli", "run", str(batch), "--out", str(out)], check=True,
                       cwd=ROOT, stdout=subprocess.DEVNULL)
        report = subprocess.run([sys.executable, "-m", "pipeline.cli", "evaluate", "--truth", str(truth), "--results", str(out)],
                                check=True, cwd=ROOT, capture_output=True, text=True).stdout
        # the per-call table has a row per tweet: print from the behaviour tables on
        print(report[report.index("behaviour events"):] if "behaviour events" in report else report)


if __name__ == "__main__":
    main()
