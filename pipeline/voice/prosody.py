"""How each turn sounds: pitch, its variation, loudness, pace and pauses, per turn and per party,
each party also against their own baseline in the call. librosa's yin over the words' spans only."""
from __future__ import annotations

import re
import numpy as np

from ..config import ProsodyOptions
from ..models import Audio, Features, Turn

SILENCE_DBFS = -100.0
EDGE = 0.05  # a yin estimate within 5 % of the search range's ends is the range, not a pitch


def level_dbfs(samples: np.ndarray) -> float:
    rms = float(np.sqrt(np.mean(samples.astype(np.float64) ** 2))) if samples.size else 0.0
    return float(20 * np.log10(rms)) if rms > 0 else SILENCE_DBFS


def syllables(word: str) -> int:
    """Vowel groups: a rough syllable count that is good enough for a rate ("tomorrow" → 3)."""
    word = re.sub(r"[^a-z]", "", word.lower())
    count = len(re.findall(r"[aeiouy]+", word))
    if word.endswith("e") and not word.endswith(("le", "ee")) and count > 1:
        count -= 1  # silent e: "home"
    elif word.endswith("ed") and not word.endswith(("ted", "ded")) and count > 1:
        count -= 1  # silent -ed: "called", "charged"
    return max(1, count) if word else 0


def segment_features(samples: np.ndarray, rate: int, *, words: tuple = (), options: ProsodyOptions | dict | None = None) -> Features:
    """Features of a 1-D signal (rate Hz). `words` (with start/end relative to the signal) give
    pace and pauses; without them, the whole signal counts as speech."""
    import librosa

    options = ProsodyOptions.of(options)
    duration = len(samples) / rate
    level = level_dbfs(samples)
    per_second = tuple(level_dbfs(samples[i:i + rate]) for i in range(0, len(samples) - rate // 2, rate)) if level > SILENCE_DBFS else ()
    loud_enough = level >= options.min_level_dbfs
    pitch = (None, None, None)
    if loud_enough and duration >= options.min_pitch_s:
        # pitch lives far below 4 kHz (phone audio has nothing above it): every other sample is enough,
        # and halves the cost of yin
        step = max(1, rate // options.pitch_rate)
        low, low_rate = samples[::step], rate // step
        hop = int(options.hop_s * low_rate)
        frame = int(options.frame_s * low_rate)
        f0 = librosa.yin(low, fmin=options.fmin_hz, fmax=options.fmax_hz, sr=low_rate, frame_length=frame, hop_length=hop)
        frame_level = librosa.feature.rms(y=low, frame_length=frame, hop_length=hop)[0]
        n = min(len(f0), len(frame_level))
        # voiced: loud for this stretch, and a pitch inside the search range rather than at its edge
        voiced = f0[:n][(frame_level[:n] > 10 ** (options.voiced_below_peak_db / 20) * frame_level.max())
                        & (f0[:n] > options.fmin_hz * (1 + EDGE)) & (f0[:n] < options.fmax_hz * (1 - EDGE))]
        if len(voiced) * options.hop_s >= options.min_voiced_s:
            semitones = 12 * np.log2(voiced / np.median(voiced))
            pitch = (float(np.median(voiced)), float(np.percentile(semitones, 90) - np.percentile(semitones, 10)), float(np.std(semitones)))
    if words:
        gaps = [b.start - a.end for a, b in zip(words, words[1:]) if b.start - a.end >= options.min_pause_s]
        span = words[-1].end - words[0].start
        wps = len(words) / span if span > 0 else None
        sps = sum(syllables(w.text) for w in words) / span if span > 0 else None
        pause_share = sum(gaps) / span if span > 0 else None
    else:
        wps = sps = pause_share = None
        gaps = []
    return Features(round(duration, 2), level if loud_enough else None, per_second, *pitch, wps, sps, len(gaps), pause_share)


def turn_features(audio: Audio, turns: list[Turn], channel_of: dict[str, int],
                  options: ProsodyOptions | dict | None = None) -> dict[int, Features]:
    """Features of every turn, on the speaker's own channel where the parties have one each
    (`channel_of`: role → channel); otherwise on all channels mixed."""
    own_channels = len(channel_of) >= 2
    result = {}
    for turn in turns:
        signal = audio.segment(turn.start, turn.end, channel_of.get(turn.speaker) if own_channels else None)
        words = tuple(type(w)(w.text, w.start - turn.start, w.end - turn.start, w.prob, w.speaker) for w in turn.words)
        result[turn.id] = segment_features(signal, audio.rate, words=words, options=options)
    return result
