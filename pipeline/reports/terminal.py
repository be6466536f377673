"""The review page's story for a terminal (rich renderables; the CLI prints them). Every string from a
call or a manifest goes in as a rich Text, never as markup: "[account number]" is a mask label and
"[link=…]" in a chat transcript is something a customer typed, not a hidden link."""
from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ..config import ReviewOptions
from .review import cue_stories, page_document

STATUS_STYLE = {"missed": "bold red", "late": "bold dark_orange", "acknowledged": "green"}
RESULT_STYLE = {"pass": "green", "partial": "dark_orange", "fail": "red", "na": "dim"}


def review_renderables(document: dict[str, Any], *, show_pii: bool = False, options: ReviewOptions | None = None) -> list:
    options = options or ReviewOptions()
    call = page_document(document, show_pii=show_pii)
    score = call.get("score") or {}
    header = Text(f"Call {call['call_id']}", style="bold")
    header.append(f"  agent {call['agent'].get('name') or call['agent'].get('id')}  customer {call['customer'].get('name') or 'unknown'}"
                  f"  {call.get('recorded_at', '')}  queue {call.get('queue') or 'none'}")
    if call.get("status") == "failed":
        header.append(f"  FAILED, not scored: {call.get('error') or 'no reason was recorded'}", style="bold red")
        return [header]
    if score:
        header.append(f"  total {score.get('total')} ({score.get('band', '').replace('_', ' ')})",
                      style="bold red" if score.get("auto_failed") or score.get("band") == "poor" else "bold")
    cues = Table(title="Cues and acknowledgements", show_lines=False)
    for column in ("at", "cue", "the customer said", "what the agent did"):
        cues.add_column(column)
    for story in cue_stories(call, options):
        did = {"missed": "MISSED: never acknowledged", "late": f"LATE: after {story.latency_s} s"}.get(
            story.status, f"acknowledged after {story.latency_s} s")
        cues.add_row(f"{story.start:.1f} s", Text(story.kind), Text(story.text), Text(did, style=STATUS_STYLE[story.status]))
    parts: list = [header, cues]
    if score:
        card = Table(title=escape(f"Scorecard {score['scorecard']} (version {score['version']})"))
        for column in ("criterion", "result", "points", "why"):
            card.add_column(column)
        for criterion in score["criteria"]:
            card.add_row(Text(criterion["label"]), Text(criterion["result"], style=RESULT_STYLE.get(criterion["result"], "")),
                         f"{criterion['points']:g}/{criterion['max']:g}", Text(criterion["reason"]))
        parts.append(card)
    transcript = Table(title="Transcript", show_header=False, box=None)
    for turn in call.get("turns", []):
        transcript.add_row(f"{turn['start']:.1f}", Text(turn["speaker"], style="cyan" if turn["speaker"] == "agent" else "magenta"), Text(turn["text"]))
    parts.append(transcript)
    return parts
