"""How the acknowledgement and recap detectors read ESConv's tagged supporter turns (evaluation only:
ESConv is CC BY-NC; nothing is trained on it).

    python benchmarks/esconv_report.py [../shared/data/transcripts/esconv_testWithStrategy_short.tsv]

Each supporter turn is put after the seeker turns before it, as agent after customer, with a negative
cue on the seeker's last turn; the report gives, per strategy tag, the share of turns recognised as
an acknowledgement of that cue and the share recognised as a recap.
"""
from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

from pipeline.behaviours.acknowledge import find_acknowledgements
from pipeline.behaviours.checks import find_recaps
from pipeline.behaviours.conduct import find_apologies
from pipeline.bundle import ModelBundle
from pipeline.models import AGENT, CUSTOMER, Cue, Turn, Word

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "transcripts" / "esconv_testWithStrategy_short.tsv"
PART = re.compile(r"^\s*[\d.]+ ([01]) (\d+) (.*)$")
TAG = re.compile(r"^\[([^\]]+)\]\s*(.*)$")


def supporter_turns(path: Path) -> list[tuple[str, list[str], str]]:
    """(strategy, seeker turns before it in the window, supporter text), each supporter turn once."""
    seen, found = set(), []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = [PART.match(p) for p in line.split(" EOS ")]
        context: list[str] = []
        for match in parts:
            if not match:
                continue
            speaker, _, text = match.groups()
            if speaker == "0":
                context.append(text.strip())
                continue
            tagged = TAG.match(text.strip())
            if tagged and tagged.group(2) not in seen and context:
                seen.add(tagged.group(2))
                found.append((tagged.group(1), context[-2:], tagged.group(2)))
            context = [] if not tagged else context
    return found


def as_turns(seeker: list[str], supporter: str) -> list[Turn]:
    turns, clock = [], 0.0
    for speaker, text in [(CUSTOMER, t) for t in seeker] + [(AGENT, supporter)]:
        words = tuple(Word(w, clock + i * 0.3, clock + i * 0.3 + 0.25, 1.0) for i, w in enumerate(text.split()))
        turns.append(Turn(len(turns), speaker, clock, words[-1].end if words else clock, words))
        clock = turns[-1].end + 0.5
    return turns


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    rates: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    models = ModelBundle.load()
    for strategy, seeker, supporter in supporter_turns(path):
        turns = as_turns(seeker, supporter)
        last = turns[-2]
        cue = Cue(id="c1", turn=last.id, start=last.start, end=last.end, text=last.text, kind="sadness",
                  polarity="negative", confidence=1.0, source="text")
        acknowledged = bool(find_acknowledgements(turns, [cue], find_apologies(turns), classifier=models.classifier("agent_sentences")))
        recapped = bool(find_recaps(turns, encoder=models.encoder))
        rates[strategy].append((acknowledged, recapped))
    print(f"{'strategy':32s} {'turns':>5s} {'ack %':>6s} {'recap %':>7s}")
    for strategy, rows in sorted(rates.items(), key=lambda kv: -len(kv[1])):
        print(f"{strategy:32s} {len(rows):5d} {100 * sum(a for a, _ in rows) / len(rows):6.1f} {100 * sum(r for _, r in rows) / len(rows):7.1f}")
    for target, column in (("Reflection of feelings", 0), ("Restatement or Paraphrasing", 1)):
        mine = [row[column] for row in rates.get(target, [])]
        others = [row[column] for strategy, rows in rates.items() if strategy != target for row in rows]
        name = "acknowledgement" if column == 0 else "recap"
        if mine and others:
            print(f"[{target}] recognised as {name}: {100 * sum(mine) / len(mine):.1f} % of {len(mine)}; "
                  f"other tags: {100 * sum(others) / len(others):.1f} % of {len(others)}")


if __name__ == "__main__":
    main()
