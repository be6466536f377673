"""The hand-labelled real customer-care tweets of data/real_text (docs/real-text-labels.md) as labelled
calls the judges learn from: every labelled customer turn a call of its own, with the agent's reply as a
second turn where the pair labels have one. Real plain statements are the negatives that stop a plain
sentence from firing, and real replies ("DM us your account number") the ones that stop a plain answer
from passing for an acknowledgement. Their source is fitted on in every fold and never measured as a
writer; the set-aside part (the guide's section 3) is never fitted on: it is what
benchmarks/real_text.py reports last. The texts stay in ../shared; only the keys and labels are here."""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import yaml

from tools.writers import REAL_TEXT, ROOT, SHARED, LabelledCall

LABELS = ROOT / "data" / "real_text"
TWEETS = SHARED / "text" / "ibm_twitter_customer_care"
TURN_FILES = ("ibm_customer_turns_dev.yaml", "ibm_customer_turns_test.yaml")
PAIR_FILE = "ibm_reply_pairs.yaml"
# @handles, links and the trailing "link" placeholder: a chat export would not show them
NOISE = re.compile(r"(^|\s)[@.]?@\w+|https?://\S+|\blink\b$")
DIRECTION_MARKS = re.compile("[\u200e\u200f\u2066-\u2069]")  # invisible; they hide a handle from NOISE
# a tweet is typed, not spoken: its length at a speaking pace, and a few seconds before the reply, stand
# for the times a call would have (latency is not measured on them)
WORDS_PER_SECOND = 2.5
REPLY_GAP_S = 2.0


def set_aside(key: str) -> bool:
    """Whether a labelled item is in the part kept aside (about a quarter, by the hash of its key)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[0] in "0123"


def clean(text: str) -> str:
    return " ".join(NOISE.sub(" ", DIRECTION_MARKS.sub("", text)).split())


def tweets() -> dict[str, tuple[str, str | None]]:
    """key ("dev:<conversation>:<entry>") → (the customer's text, the agent's reply or None) for every
    customer entry; the reply is the next entry when it is the agent's, or the conversation's closing
    reply (agentURL) after its last entry."""
    found = {}
    for part in ("dev", "test"):
        for index, conversation in enumerate(json.loads((TWEETS / f"{part}.json").read_text(encoding="utf-8"))):
            entries = conversation["dialogContent"]
            for at, entry in enumerate(entries):
                if "client" not in entry:
                    continue
                after = entries[at + 1] if at + 1 < len(entries) else None
                if after is None:
                    reply = conversation.get("agentURL", {}).get("url_utterance")
                else:
                    reply = after["message"] if "agent" in after else None
                found[f"{part}:{index}:{at}"] = (clean(entry["message"]), clean(reply) if reply else None)
    return found


def labels() -> tuple[dict[str, dict], dict[str, dict]]:
    """(key → the customer turn's labels, key → the reply pair's labels), from data/real_text."""
    turns: dict[str, dict] = {}
    for name in TURN_FILES:
        turns |= yaml.safe_load((LABELS / name).read_text(encoding="utf-8"))
    pairs = yaml.safe_load((LABELS / PAIR_FILE).read_text(encoding="utf-8"))
    return turns, pairs


def real_text_calls(aside: bool = False) -> list[LabelledCall]:
    """The labelled turns as one- or two-turn calls: those kept aside when `aside`, else the rest. A turn
    of no words after cleaning (a handle, a link) is left out; YAML reads the pair labels' yes/no as booleans."""
    if not TWEETS.is_dir():
        raise SystemExit(f"{TWEETS} is missing: the real text of data/real_text is read there")
    texts, (turn_labels, pair_labels) = tweets(), labels()
    calls = []
    for key, label in turn_labels.items():
        if set_aside(key) != aside or key not in texts or not texts[key][0]:
            continue
        said, reply = texts[key]
        pair = pair_labels.get(key)
        turns = [{"id": 0, "speaker": "customer", "start": 0.0, "end": round(len(said.split()) / WORDS_PER_SECOND, 2), "text": said}]
        cues = [] if label["cue"] == "none" else [{"id": "c1", "turn": 0, "polarity": label["cue"], "kind": label.get("kind", ""),
                                                   "text": said}]
        acknowledgements = []
        if pair is not None and reply:
            start = turns[0]["end"] + REPLY_GAP_S
            turns.append({"id": 1, "speaker": "agent", "start": start, "end": round(start + len(reply.split()) / WORDS_PER_SECOND, 2), "text": reply})
            if cues and pair["ack"] in (True, "yes"):
                acknowledgements.append({"cue": "c1", "turn": 1})
        truth = {"call_id": key, "turns": turns, "cues": cues, "acknowledgements": acknowledgements, "recaps": [],
                 "closing_actions": [], "apologies": []}
        calls.append(LabelledCall(key, key, REAL_TEXT, LABELS, truth, truth))
    return calls
