"""Transcripts instead of audio: chats and calls from other recorders. JSON (a list of turns, or an
object with `turns`, each with speaker, start, end and text: the label format's `turns` is one) and
WebVTT with voice tags (`<v Agent>…`). Every stage that needs no audio runs on them.

Speakers named agent, customer or other keep that role; any other names (a person's name, "Speaker
1") become speaker tracks for the roles stage to tell apart, as it does for a mono recording."""
from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import AudioError
from ..models import ROLES, SpeakerTrack, Word

TRANSCRIPT_SUFFIXES = (".transcript.json", ".vtt")
VTT_TIME = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{3})")
VTT_CUE = re.compile(rf"^\s*{VTT_TIME.pattern}\s+-->\s+{VTT_TIME.pattern}")
VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>")
TAG = re.compile(r"<[^>]*>")
BREAK = re.compile(r"<(?:br|/p|/div|/li|/tr)\b[^>]*>", re.IGNORECASE)
HIDDEN = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Transcript:
    path: str
    sha256: str
    duration: float
    tracks: tuple[SpeakerTrack, ...]  # one per speaker label, words timed evenly across each turn
    named_roles: bool  # every speaker was named agent, customer or other


def is_transcript(path: str | Path) -> bool:
    """Whether a call's file is a transcript (a manifest may name any .json; a folder is searched
    for TRANSCRIPT_SUFFIXES only, so that truth labels beside their audio are not taken for calls)."""
    return Path(path).suffix.lower() in (".json", ".vtt")


def plain_text(text: str) -> str:
    """Text with markup removed and entities decoded: a chat export's HTML, WebVTT's <b>, <c.x>."""
    return " ".join(html.unescape(TAG.sub("", BREAK.sub(" ", HIDDEN.sub(" ", text)))).split())


def load_transcript(path: str | Path) -> Transcript:
    """Read a JSON or WebVTT transcript; an AudioError (the input cannot be used) says what is wrong."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError as error:
        raise AudioError(f"{path}: file not found", "check the manifest's file column") from error
    except OSError as error:
        raise AudioError(f"{path}: cannot be read ({error.strerror})", "check the file's permissions") from error
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise AudioError(f"{path}: a transcript must be UTF-8 text", "save it as UTF-8") from error
    turns = _vtt_turns(text, path) if path.suffix.lower() == ".vtt" else _json_turns(text, path)
    if not turns:
        raise AudioError(f"{path}: the transcript has no turns with text", "each turn needs a speaker, start, end and text")
    labels = sorted({speaker for speaker, _, _, _ in turns})
    tracks = tuple(SpeakerTrack(label, tuple(w for speaker, start, end, words in turns if speaker == label
                                             for w in _timed_words(words, start, end, label))) for label in labels)
    return Transcript(str(path), hashlib.sha256(raw).hexdigest(), max(end for _, _, end, _ in turns), tracks,
                      all(label in ROLES for label in labels))


def _timed_words(text: str, start: float, end: float, speaker: str) -> list[Word]:
    """The turn's words spread evenly over its time: a transcript gives no word times."""
    words = text.split()
    step = (end - start) / max(len(words), 1)
    return [Word(w, round(start + i * step, 3), round(start + (i + 1) * step, 3), 1.0, speaker) for i, w in enumerate(words)]


def _speaker(value: object) -> str:
    name = plain_text(str(value or "")).strip()
    return name.lower() if name.lower() in ROLES else name


def _json_turns(text: str, path: Path) -> list[tuple[str, float, float, str]]:
    try:
        data = json.loads(text)
    except ValueError as error:
        raise AudioError(f"{path}: not valid JSON: {error}", "a transcript is a list of turns, or an object with `turns`") from error
    items = data.get("turns") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise AudioError(f"{path}: no list of turns", "a transcript is a list of turns, or an object with `turns`")
    turns = []
    for number, item in enumerate(items):
        try:
            start, end = float(item["start"]), float(item["end"])
            speaker, words = _speaker(item["speaker"]), plain_text(str(item["text"]))
        except (KeyError, TypeError, ValueError) as error:
            raise AudioError(f"{path}: turn {number} needs speaker, start, end (seconds) and text: {error!r}") from error
        if end < start:
            raise AudioError(f"{path}: turn {number} ends ({end}) before it starts ({start})")
        if words and speaker:
            turns.append((speaker, start, end, words))
    return turns


def _seconds(hours: str, minutes: str, seconds: str, millis: str) -> float:
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def _vtt_turns(text: str, path: Path) -> list[tuple[str, float, float, str]]:
    if not text.lstrip().startswith("WEBVTT"):
        raise AudioError(f"{path}: not a WebVTT file (it must start with WEBVTT)")
    turns = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        lines = block.strip().split("\n")
        timing = next((i for i, line in enumerate(lines) if VTT_CUE.match(line)), None)
        if timing is None:
            continue  # the header, a NOTE, a STYLE block
        groups = VTT_CUE.match(lines[timing]).groups()
        start, end = _seconds(*groups[:4]), _seconds(*groups[4:])
        payload = " ".join(lines[timing + 1:])
        voice = VOICE.search(payload)
        speaker = _speaker(voice.group(1)) if voice else ""
        words = plain_text(payload)
        if not speaker:
            raise AudioError(f"{path}: the cue at {lines[timing].split()[0]} has no voice tag",
                             "tag each cue with its speaker: <v Agent>… or <v Customer>…")
        if words:
            turns.append((speaker, start, end, words))
    return turns
