"""What a scorecard criterion can read from a per-call result document: each measure is a function of
the document that gives a value, or None with the reason it does not apply, and its evidence (events
with their times, including what is missing: a cue never acknowledged and the window it had).

Measures read the JSON document, not the objects of a live run, so that `callqa rescore` works from
stored results without transcribing again."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from ..config import AcknowledgementOptions

# The window in which an acknowledgement was expected after a missed cue: the acknowledgement stage's
# own (a result does not record the options it was made with, so its default).
EXPECTED_WINDOW_S = AcknowledgementOptions().window_s


@dataclass(frozen=True)
class Measure:
    value: float | bool | None  # None: the criterion does not apply to this call
    reason: str = ""  # why it does not apply, or what the value means
    evidence: tuple[dict[str, Any], ...] = field(default=())


def _events(document: dict, kind: str) -> list[dict]:
    return [e for e in document.get("events", []) if e.get("type") == kind]


def _cite(event: dict, note: str = "") -> dict[str, Any]:
    cited = {"event": event["id"], "start": event["start"], "end": event["end"]}
    return {**cited, "note": note} if note else cited


def _missed(document: dict) -> list[dict]:
    """The cues never acknowledged, each with the window in which an acknowledgement was expected."""
    missed = set(document.get("checks", {}).get("cues_missed", []))
    return [{**_cite(cue, "never acknowledged"), "expected_from": cue["end"], "expected_by": round(cue["end"] + EXPECTED_WINDOW_S, 2)}
            for cue in _events(document, "cue") if cue["id"] in missed]


def cues_acknowledged_share(document: dict) -> Measure:
    cues = _events(document, "cue")
    if not cues:
        return Measure(None, "no customer cues in the call")
    acks = _events(document, "acknowledgement")
    answered = {a["cue"] for a in acks}
    share = sum(c["id"] in answered for c in cues) / len(cues)
    return Measure(round(share, 3), f"{len(answered)} of {len(cues)} cues acknowledged",
                   tuple(_cite(a, f"acknowledges {a['cue']} after {a['latency_s']} s") for a in acks) + tuple(_missed(document)))


def median_ack_latency_s(document: dict) -> Measure:
    acks = _events(document, "acknowledgement")
    if not acks:
        return Measure(None, "no acknowledged cues to time" if _events(document, "cue") else "no customer cues in the call")
    value = document.get("checks", {}).get("median_ack_latency_s")
    return Measure(value, f"median of {len(acks)} acknowledgement latencies", tuple(_cite(a, f"{a['latency_s']} s") for a in acks))


def missed_cues(document: dict) -> Measure:
    if not _events(document, "cue"):
        return Measure(None, "no customer cues in the call")
    missed = _missed(document)
    return Measure(len(missed), f"{len(missed)} cues never acknowledged", tuple(missed))


def _apologies(kind: str) -> Callable[[dict], Measure]:
    def measure(document: dict) -> Measure:
        found = [a for a in _events(document, "apology") if a.get("kind", "genuine" if a.get("genuine") else "") == kind]
        return Measure(len(found), f"{len(found)} {kind.replace('_', ' ')} apologies", tuple(_cite(a) for a in found))
    return measure


def _count(kind: str) -> Callable[[dict], Measure]:
    def measure(document: dict) -> Measure:
        found = _events(document, kind)
        return Measure(len(found), f"{len(found)} {kind.replace('_', ' ')} events", tuple(_cite(e) for e in found))
    return measure


def _present(kind: str) -> Callable[[dict], Measure]:
    def measure(document: dict) -> Measure:
        found = _events(document, kind)
        return Measure(bool(found), f"{kind.replace('_', ' ')} {'found' if found else 'not found'}", tuple(_cite(e) for e in found))
    return measure


def _name(check: str) -> Callable[[dict], Measure]:
    def measure(document: dict) -> Measure:
        name = document.get("checks", {}).get("name", {})
        if not name.get("customer_name"):
            return Measure(None, "the customer's name is not known (not in the manifest, not given in the call)")
        uses = tuple(_cite(e) for e in _events(document, "name_use"))
        value = {"used": name.get("uses", 0) > 0, "near_end": bool(name.get("near_end")), "overused": bool(name.get("overuse"))}[check]
        return Measure(value, f"name {name['customer_name']!r} used {name.get('uses', 0)} times", uses)
    return measure


def interruptions_by_agent(document: dict) -> Measure:
    found = [e for e in _events(document, "interruption") if e.get("by") == "agent"]
    return Measure(len(found), f"the agent cut in {len(found)} times", tuple(_cite(e) for e in found))


def non_talk_share(document: dict) -> Measure:
    duration = document.get("audio", {}).get("duration") or 0
    if not duration:
        return Measure(None, "the call has no duration")
    conversation = document.get("conversation", {})
    silences = tuple({"start": s["start"], "end": s["end"], "note": "silence"} for s in conversation.get("silences", []))
    return Measure(round(conversation.get("non_talk_time", 0.0) / duration, 3), "share of the call with nobody talking", silences)


def agent_talk_share(document: dict) -> Measure:
    share = document.get("conversation", {}).get("talk_share", {}).get("agent")
    if share is None or not document.get("turns"):
        return Measure(None, "no speech in the call")
    return Measure(share, "the agent's share of all talk time")


def _tone(name: str) -> Callable[[dict], Measure]:
    def measure(document: dict) -> Measure:
        tone = (document.get("prosody", {}).get("agent_tone") or {}).get(name)
        if not tone:
            return Measure(None, f"agent {name} could not be measured in this call")
        return Measure(tone["score"], f"agent {name} score 0-100")
    return measure


MEASURES: dict[str, Callable[[dict], Measure]] = {
    "cues_acknowledged_share": cues_acknowledged_share,
    "median_ack_latency_s": median_ack_latency_s,
    "missed_cues": missed_cues,
    "genuine_apologies": _apologies("genuine"),
    "non_apologies": _apologies("non_apology"),
    "scripted_apologies": _apologies("scripted"),
    "name_used": _name("used"),
    "name_near_end": _name("near_end"),
    "name_overused": _name("overused"),
    "recap": _present("recap"),
    "closing_action": _present("closing_action"),
    "vague_closing": _present("vague_closing"),
    "further_help": _present("further_help"),
    "blame": _count("blame"),
    "assumptions": _count("assumption"),
    "refusals": _count("refusal"),
    "interruptions_by_agent": interruptions_by_agent,
    "non_talk_share": non_talk_share,
    "agent_talk_share": agent_talk_share,
    "tone_engagement": _tone("engagement"),
    "tone_calm": _tone("calm"),
    "tone_pace": _tone("pace"),
    "tone_adaptation": _tone("adaptation"),
}
