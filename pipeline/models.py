"""Plain data passed between the stages. Times are float seconds from the start of the recording."""
from __future__ import annotations

from dataclasses import dataclass
import numpy as np

from .config import SAMPLE_RATE

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
    rate: int = SAMPLE_RATE

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
    """What one speaker said: their label and words in time order; `channel` when the speaker has
    a channel of their own (stereo)."""

    speaker: str
    words: tuple[Word, ...]
    channel: int | None = None


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


@dataclass(frozen=True, kw_only=True)
class Event:
    """A finding with its evidence: where it is (turn, times) and the words behind it. Each event type
    with fields of its own is a subclass below; `type` names it in the per-call document."""

    id: str
    type: str
    turn: int
    start: float
    end: float
    text: str = ""


@dataclass(frozen=True, kw_only=True)
class Cue(Event):
    """A customer's emotional cue. `source`: text, voice, or text+voice; `arousal` of the turn when measured."""

    type: str = "cue"
    kind: str
    polarity: str  # negative | positive
    confidence: float
    source: str
    arousal: float | None = None


@dataclass(frozen=True, kw_only=True)
class Acknowledgement(Event):
    """The first agent turn that acknowledges cue `cue`: how, how fast, and with which of the customer's words."""

    type: str = "acknowledgement"
    cue: str
    latency_s: float
    turns_after_cue: int
    how: str  # phrase | apology | reflection | sentence_model | paraphrase
    specific: bool
    shared_words: tuple[str, ...] = ()
    confidence: float | None = None  # the pair judge's probability (None when the rules alone decided)


@dataclass(frozen=True, kw_only=True)
class Apology(Event):
    type: str = "apology"
    genuine: bool
    kind: str  # genuine | non_apology | scripted
    owns_problem: bool


@dataclass(frozen=True, kw_only=True)
class NameUse(Event):
    type: str = "name_use"
    count: int


@dataclass(frozen=True, kw_only=True)
class Recap(Event):
    type: str = "recap"
    shared_words: tuple[str, ...]
    similarity: float
    confidence: float | None = None  # the recap judge's probability; None when the rules decided


@dataclass(frozen=True, kw_only=True)
class ClosingAction(Event):
    """An owner, an action and a time frame near the end of the call."""

    type: str = "closing_action"
    owner: str
    action: str
    timeframe: str
    confidence: float | None = None  # the closing judge's probability; None when the rules decided


@dataclass(frozen=True, kw_only=True)
class Conduct(Event):
    """Blame, an assumption, a refusal, an alternative, same-side language or agreement (`type`)."""

    polarity: str


@dataclass(frozen=True, kw_only=True)
class Interruption(Event):
    type: str = "interruption"
    by: str
    interrupted: str
    overlap_s: float


# Event type → its class, for reading documents back. Types with no fields of their own
# (vague_closing, further_help) are plain Events.
CONDUCT_TYPES = ("blame", "assumption", "refusal", "alternative", "same_side", "agreement")
EVENT_CLASSES: dict[str, type[Event]] = {
    "cue": Cue, "acknowledgement": Acknowledgement, "apology": Apology, "name_use": NameUse, "recap": Recap,
    "closing_action": ClosingAction, "interruption": Interruption, **{t: Conduct for t in CONDUCT_TYPES},
}


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
class SpeechActivity:
    """Voice activity of one channel (or of all mixed): the regions ASR decodes, and the wider ones
    where the VAD still hears speech, which diarization labels too. (start, end) seconds each."""

    speech: tuple[tuple[float, float], ...]
    heard: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True)
class Diarization:
    """Who spoke when in a mono recording: the speakers' words, and their turns (start, end, label)."""

    tracks: tuple[SpeakerTrack, ...]
    segments: tuple[tuple[float, float, str], ...]


@dataclass(frozen=True)
class Features:
    """Prosody of one stretch of speech. None where it cannot be measured (too short or too quiet)."""

    duration_s: float
    level_dbfs: float | None
    loudness_per_second: tuple[float, ...]
    pitch_median_hz: float | None
    pitch_range_st: float | None  # 10th to 90th percentile, semitones
    pitch_variability_st: float | None  # standard deviation around the median, semitones
    words_per_second: float | None
    syllables_per_second: float | None
    pause_count: int
    pause_share: float | None  # of the turn's time


@dataclass(frozen=True)
class Baseline:
    """Medians of one party's turn features: their baseline in this call."""

    level_dbfs: float | None
    pitch_median_hz: float | None
    pitch_range_st: float | None
    pitch_variability_st: float | None
    words_per_second: float | None
    syllables_per_second: float | None
    pause_share: float | None
    turns: int


@dataclass(frozen=True)
class ToneScore:
    """One agent tone score, 0-100, with the measures behind it (`basis`)."""

    score: float
    basis: dict[str, float]


@dataclass(frozen=True)
class AgentTone:
    engagement: ToneScore | None = None  # monotone against lively
    calm: ToneScore | None = None  # stays level when the customer is heated
    pace: ToneScore | None = None
    adaptation: ToneScore | None = None  # toward a calm customer's pace, below a heated one's energy


@dataclass(frozen=True)
class Prosody:
    """How the call sounds: each party's baseline, the agent's tone, and per turn its features and
    arousal (0-100 against its speaker's baseline; None where not measurable)."""

    parties: dict[str, Baseline]
    agent_tone: AgentTone
    turns: dict[int, Features]
    arousal: dict[int, float | None]


@dataclass(frozen=True)
class NameSummary:
    customer_name: str
    uses: int
    first_use: float | None
    near_end: bool
    overuse: bool


@dataclass(frozen=True)
class ApologyCounts:
    genuine: int
    not_genuine: int  # non-apologies and scripted filler


@dataclass(frozen=True)
class Checks:
    """The call's summary of the behaviours."""

    cues: int
    cues_acknowledged: int
    cues_missed: tuple[str, ...]  # ids of the cues no agent turn acknowledged in time
    median_ack_latency_s: float | None
    name: NameSummary
    recap: bool
    closing_action: bool
    further_help_offered: bool
    apologies: ApologyCounts


@dataclass(frozen=True)
class Behaviours:
    events: tuple[Event, ...]
    checks: Checks


@dataclass(frozen=True)
class AsrInfo:
    """What transcribed the call."""

    model: str
    device: str
    compute_type: str
    beam_size: int


@dataclass(frozen=True)
class CallResult:
    spec: CallSpec
    audio: Audio
    roles: RoleAssignment
    turns: tuple[Turn, ...]
    events: tuple[Event, ...]
    conversation: ConversationStats
    checks: Checks
    prosody: Prosody
    asr: AsrInfo
    timings: dict[str, float]
    diarization: tuple[tuple[float, float, str], ...] | None = None  # mono: (start, end, role) speaker turns
    score: Score | None = None


@dataclass(frozen=True)
class CriterionScore:
    """One scorecard criterion on one call. `result`: pass, partial, fail or na (left out of the maximum)."""

    id: str
    section: str
    label: str
    result: str
    points: float
    max: float
    reason: str
    critical: bool = False
    evidence: tuple[dict, ...] = ()  # {"event", "start", "end", "note"}: what was found, or what is missing and when


@dataclass(frozen=True)
class Score:
    """A call scored against one scorecard. `total` is 0-100 of the points possible (N/A criteria left
    out); a failed critical criterion makes it 0, with the computed total kept beside it."""

    scorecard: str
    version: str
    total: float | None  # None when every criterion is N/A
    computed_total: float | None
    points: float
    max_points: float
    band: str
    auto_failed_by: tuple[str, ...]
    criteria: tuple[CriterionScore, ...]
