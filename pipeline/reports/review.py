"""One call on one page for a coach: who said what when, each customer cue and how fast (or whether)
the agent acknowledged it, how it sounded, the scorecard with its evidence, and the recording one
click away. One self-contained HTML file (Jinja2, autoescaped; data handed to the script through
`tojson`); personal data masked unless asked for."""
from __future__ import annotations

import base64
import io
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..config import SAMPLE_RATE, ReviewOptions
from ..errors import AudioError
from .measures import EXPECTED_WINDOW_S
from ..results import write_whole
from .redact import redact_document

TEMPLATES = Path(__file__).parent / "templates"
WIDTH, LANE_H, LEFT = 1000.0, 34.0, 70.0  # timeline geometry in SVG units
OPUS_RATE = 48000  # Opus encodes at 48 kHz; the call's 16 kHz is resampled to it
MISSED_LABEL_W = 40.0  # SVG units the timeline's "missed" takes at 11 px: labels nearer than this would overlap


@dataclass(frozen=True)
class CueStory:
    """A cue and what became of it, for the page and the terminal."""

    id: str
    kind: str
    start: float
    end: float
    text: str
    status: str  # acknowledged | late | missed
    ack_id: str = ""
    ack_start: float | None = None
    latency_s: float | None = None


def cue_stories(document: dict[str, Any], options: ReviewOptions) -> list[CueStory]:
    acks = {e["cue"]: e for e in document.get("events", []) if e["type"] == "acknowledgement"}
    stories = []
    for cue in (e for e in document.get("events", []) if e["type"] == "cue"):
        ack = acks.get(cue["id"])
        if ack is None:
            stories.append(CueStory(cue["id"], cue.get("kind", ""), cue["start"], cue["end"], cue.get("text", ""), "missed"))
        else:
            status = "late" if ack["latency_s"] > options.late_ack_s else "acknowledged"
            stories.append(CueStory(cue["id"], cue.get("kind", ""), cue["start"], cue["end"], cue.get("text", ""), status,
                                    ack["id"], ack["start"], ack["latency_s"]))
    return stories


def latency_labels(stories: list[CueStory]) -> list[tuple[float, str, str]]:
    """One timeline label per acknowledging agent turn: (its start, late or acknowledged, each distinct
    latency of the cues it answers, "0.4 s / 6.2 s"). A turn that answers cues of several customer turns
    would otherwise print their numbers on top of one another."""
    answered: dict[float, list[CueStory]] = {}
    for story in stories:
        if story.ack_start is not None:
            answered.setdefault(story.ack_start, []).append(story)
    return [(start, "late" if any(s.status == "late" for s in cues) else "acknowledged",
             " / ".join(f"{latency} s" for latency in sorted({s.latency_s for s in cues})))
            for start, cues in sorted(answered.items())]


def expected_windows(stories: list[CueStory], duration: float) -> list[tuple[float, float]]:
    """The stretches in which a missed cue should have been acknowledged (EXPECTED_WINDOW_S after each),
    merged where they overlap and cut at the call's end: shading each cue's window on its own stacks
    close cues into solid red."""
    merged: list[list[float]] = []
    for start in sorted(s.end for s in stories if s.status == "missed"):
        end = min(start + EXPECTED_WINDOW_S, duration)
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        elif end > start:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def missed_label_places(stories: list[CueStory], duration: float) -> list[float]:
    """Where the timeline says "missed" (SVG x): once per place, not once per cue, where missed cues
    sit too close for their labels to be read apart."""
    places: list[float] = []
    for x in sorted(_x(s.start, duration) for s in stories if s.status == "missed"):
        if not places or x - places[-1] >= MISSED_LABEL_W:
            places.append(x)
    return places


def write_page(path: str | Path, html: str, *, private: bool) -> Path:
    """Write a page through a temporary file and an atomic rename (as results.write_json writes the
    JSON); `private` (personal data shown) keeps mkstemp's 0600, else the page gets the umask's usual
    mode, to be shared as before."""
    path = Path(path)
    write_whole(path, private, lambda temporary: Path(temporary).write_text(html, encoding="utf-8"))
    return path


def page_document(document: dict[str, Any], *, show_pii: bool = False) -> dict[str, Any]:
    """The document a page shows: masked unless `show_pii` (then with no redactions to silence); a
    document `callqa run --redact` wrote is masked already, and stays so."""
    if "redactions" in document:
        return document
    return {**document, "redactions": []} if show_pii else redact_document(document)


def encode_audio(document: dict[str, Any], options: ReviewOptions) -> str:
    """The call's recording as an Opus data URI, mixed to mono and silent over every redaction; ""
    when the recording cannot be read (moved, deleted): the page then says so."""
    import av

    from ..speech.audio import load_audio

    try:
        audio = load_audio(document["audio"]["path"])
    except (AudioError, KeyError, OSError):
        return ""
    samples = audio.segment().copy()
    pad = options.silence_pad_s
    for span in document.get("redactions", []):
        samples[max(0, int((span["start"] - pad) * SAMPLE_RATE)):int(np.ceil((span["end"] + pad) * SAMPLE_RATE))] = 0.0
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="ogg") as container:
        stream = container.add_stream("libopus", rate=OPUS_RATE)
        stream.bit_rate = options.audio_bit_rate
        stream.layout = "mono"
        resampler = av.AudioResampler(format="s16", layout="mono", rate=OPUS_RATE)
        for start in range(0, len(samples), SAMPLE_RATE):
            frame = av.AudioFrame.from_ndarray(samples[None, start:start + SAMPLE_RATE], format="flt", layout="mono")
            frame.sample_rate = SAMPLE_RATE
            for packet in (p for f in resampler.resample(frame) for p in stream.encode(f)):
                container.mux(packet)
        for packet in [p for f in resampler.resample(None) for p in stream.encode(f)] + list(stream.encode(None)):
            container.mux(packet)
    return "data:audio/ogg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def template_environment() -> Environment:
    """The report templates, autoescaped: transcript text is always text."""
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))


def _x(seconds: float, duration: float) -> float:
    return round(LEFT + (WIDTH - LEFT - 10) * seconds / max(duration, 1e-6), 1)


def _curves(document: dict[str, Any], duration: float) -> dict[str, list]:
    """Loudness (dBFS, once a second) and pitch (Hz, per turn) of each party, as SVG points."""
    turns = {str(t["id"]): t for t in document.get("turns", [])}
    loudness: dict[str, list[str]] = {"agent": [], "customer": []}
    pitch: list[dict] = []
    for turn_id, features in (document.get("prosody") or {}).get("turns", {}).items():
        turn = turns.get(turn_id)
        if turn is None or turn["speaker"] not in loudness:
            continue
        for second, level in enumerate(features.get("loudness_per_second") or []):
            y = 60 - 60 * (max(-60.0, min(0.0, level)) + 60) / 60  # -60..0 dBFS → 60..0
            loudness[turn["speaker"]].append(f"{_x(turn['start'] + second + 0.5, duration)},{y:.1f}")
        if features.get("pitch_median_hz"):
            y = 60 - 60 * (min(400.0, features["pitch_median_hz"]) - 50) / 350
            pitch.append({"x": _x((turn["start"] + turn["end"]) / 2, duration), "y": round(y, 1), "speaker": turn["speaker"],
                          "hz": round(features["pitch_median_hz"]), "start": turn["start"]})
    return {"loudness": {k: " ".join(v) for k, v in loudness.items()}, "pitch": pitch}


def _ticks(duration: float) -> list[tuple[float, str]]:
    """Time labels under the timeline: the finest of 10 s … 10 min that gives at most a dozen."""
    step = next((s for s in (10, 30, 60, 120, 300, 600) if duration / s <= 12), 1200)
    return [(_x(t, duration), f"{t // 60}:{t % 60:02d}") for t in range(0, int(duration) + 1, step)]


def render_review(document: dict[str, Any], *, show_pii: bool = False, options: ReviewOptions | None = None,
                  with_audio: bool = True) -> str:
    options = options or ReviewOptions()
    shown = page_document(document, show_pii=show_pii)
    duration = float(shown.get("audio", {}).get("duration") or max((t["end"] for t in shown.get("turns", [])), default=1.0))
    stories = cue_stories(shown, options)
    by_turn: dict[int, list[dict]] = {}
    for event in shown.get("events", []):
        by_turn.setdefault(event["turn"], []).append(event)
    lanes = {"agent": 0, "customer": 1, "other": 2}
    environment = template_environment()
    environment.filters["x"] = lambda seconds: _x(seconds, duration)
    environment.filters["clock"] = lambda seconds: f"{int(seconds // 60)}:{seconds % 60:04.1f}"
    playable = with_audio and shown.get("status") != "failed"  # a failed call's page says why, and plays nothing
    return environment.get_template("review.html.j2").render(
        call=shown, stories=stories, latency_labels=latency_labels(stories), windows=expected_windows(stories, duration),
        missed_places=missed_label_places(stories, duration), by_turn=by_turn, lanes=lanes, lane_h=LANE_H, width=WIDTH, left=LEFT,
        duration=duration, curves=_curves(shown, duration), ticks=_ticks(duration), expected_window_s=EXPECTED_WINDOW_S,
        audio=encode_audio(shown, options) if playable else "", options=options,
        score=shown.get("score"), masked=not show_pii,
        script_data={"duration": duration, "cues": [asdict(s) for s in stories]},
    )


def render_index(documents: list[tuple[dict[str, Any], str]]) -> str:
    """A night's calls with their totals, each linking to its page (`link`, relative)."""
    rows = sorted(documents, key=lambda pair: pair[0].get("call_id", ""))
    return template_environment().get_template("review_index.html.j2").render(rows=rows)


REVIEW_FOLDER = "review"  # `callqa review --batch OUT` writes OUT/review/<call_id>.html and its index.html


def remove_call_pages(results: str | Path, call_ids: set[str]) -> list[Path]:
    """Delete the pages of `call_ids` that `callqa review --batch RESULTS` wrote into RESULTS/review and
    write its index again without them (the rows kept: calls whose page is still there, and failed
    calls, which have none). Returns the files deleted or rewritten. Pages written elsewhere (`--out`)
    are not known here."""
    from .store import result_documents

    folder = Path(results) / REVIEW_FOLDER
    changed = [page for page in (folder / f"{call_id}.html" for call_id in sorted(call_ids)) if page.is_file()]
    for page in changed:
        page.unlink()
    index = folder / "index.html"
    if index.is_file():
        rows = [(document, f"{document['call_id']}.html") for document, _ in result_documents([results])
                if document["call_id"] not in call_ids
                and (document.get("status") != "scored" or (folder / f"{document['call_id']}.html").is_file())]
        write_page(index, render_index(rows), private=not index.stat().st_mode & 0o077)
        changed.append(index)
    return changed
