"""Plain data passed between the stages. Times are float seconds from the start of the recording."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

AGENT = "agent"
CUSTOMER = "customer"
OTHER = "other"
ROLES = (AGENT, CUSTOMER, OTHER)


@dataclass(frozen=True)
class CallSpec:
    """One call to score: an audio file and what the manifest says about it."""

    call_id: str
    path: str
    agent_id: str = ""
    agent_name: str = ""
    customer_name: str = ""
    recorded_at: str = ""
    queue: str = ""
    agent_channel: int | None = None
    agent_speaker: str = ""
    problem: str = ""  # what is wrong with this row of the batch (duplicate id, path outside it): fails the call


@dataclass(frozen=True, eq=False)
class Audio:
    """Decoded audio at `rate` Hz (16 kHz after loading). `samples` has shape (channels, n): a float32
    array, or for a long recording audio.SpilledSamples, which reads from disk what a stage asks for.
    Stages read through `segment`, a stretch at a time, so a long recording never sits in memory whole."""

    path: str
    sha256: str
    duration: float
    channels: int
    sample_rate: int  # of the file as recorded
    samples: np.ndarray
    rate: int = 16000

    def segment(self, start: float = 0.0, end: float | None = None, channel: int | None = None) -> np.ndarray:
        """Float32 samples from `start` to `end` seconds of one channel, or of all channels mixed
        when `channel` is None."""
        n = self.samples.shape[1]
        first = min(max(0, int(round(start * self.rate))), n)
        last = n if end is None else min(max(first, int(round(end * self.rate))), n)
        if channel is not None or self.channels == 1:
            return np.asarray(self.samples[channel or 0, first:last], dtype=np.float32)
        return np.asarray(self.samples[:, first:last], dtype=np.float32).mean(axis=0)


@dataclass(frozen=True)
class Word:
    text: str
    start: float
    end: float
    prob: float
    speaker: str = ""  # a speaker label ("ch0", "spk1"); roles map it to agent/customer


@dataclass(frozen=True)
class SpeakerTrack:
    """What one speaker said: their label and words in time order."""

    speaker: str
    words: tuple[Word, ...]


@dataclass(frozen=True)
class RoleAssignment:
    """Speaker label → role, with how it was decided and how sure we are."""

    mapping: dict[str, str]
    method: str  # "channel" | "diarization" | "manifest"
    confidence: float

    def role(self, speaker: str) -> str:
        return self.mapping.get(speaker, OTHER)


@dataclass(frozen=True)
class Turn:
    id: int
    speaker: str  # agent | customer | other
    start: float
    end: float
    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Event:
    """A finding with its evidence. `data` holds the type's own fields (kind, by, latency_s, …)."""

    id: str
    type: str
    turn: int
    start: float
    end: float
    text: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Silence:
    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class ConversationStats:
    """Measures that need no model: talk time, non-talk time, interruptions, talk speed."""

    talk_time: dict[str, float]  # role → seconds of speech
    talk_share: dict[str, float]  # role → share of all talk time
    words_per_minute: dict[str, float | None]
    non_talk_time: float
    silences: tuple[Silence, ...]
    interruptions: dict[str, int]  # role that cut in → count


@dataclass(frozen=True)
class CallResult:
    spec: CallSpec
    audio: Audio
    roles: RoleAssignment
    turns: tuple[Turn, ...]
    events: tuple[Event, ...]
    conversation: ConversationStats
    asr: dict[str, Any]
    timings: dict[str, float]
    diarization: tuple[tuple[float, float, str], ...] | None = None  # mono: (start, end, role) speaker turns
    checks: dict[str, Any] = field(default_factory=dict)  # per-call summaries: name use, cues missed, …
    prosody: dict[str, Any] = field(default_factory=dict)  # per party, agent tone scores, per turn
