"""Voice activity from the Silero VAD that faster-whisper ships: speech probabilities computed once,
turned into regions at two levels. ASR decodes the confident regions; who-spoke-when labels every
stretch the model still hears as speech (quiet callers on a phone line score between the two)."""
from __future__ import annotations

import numpy as np

from ..config import SAMPLE_RATE as RATE
from ..config import WINDOW_S, VadOptions
from ..models import Audio, SpeechActivity

FRAME = 512  # samples per Silero probability
RELEASE_MARGIN = 0.15  # speech, once started, lasts until the probability falls this far under the threshold
PAUSE_TO_CUT_S = 0.098  # a region over max_region_s is cut at its last pause at least this long


def speech_activity(audio: Audio, channel: int | None = None, options: VadOptions | dict | None = None) -> SpeechActivity:
    """Speech regions of one channel (None: all mixed), a window of the recording at a time: those ASR
    decodes (probability over `threshold`) and the wider ones diarization labels (over
    `diarization_threshold`), from one pass of the VAD."""
    options = VadOptions.of(options)
    levels = (options.threshold, options.diarization_threshold)
    found: list[list[tuple[float, float]]] = [[] for _ in levels]
    for offset in np.arange(0.0, audio.duration, WINDOW_S):
        samples = audio.segment(offset, offset + WINDOW_S, channel)
        probabilities = speech_probabilities(samples)
        for level, into in zip(levels, found):
            for start, end in regions(probabilities, len(samples), options, level):
                start, end = float(offset + start / RATE), float(offset + end / RATE)
                # a region that ends at one window's edge and starts at the next one's is one region cut in two
                if into and start - offset < 1e-6 and offset - into[-1][1] < 1e-6:
                    into[-1] = (into[-1][0], end)
                else:
                    into.append((start, end))
    return SpeechActivity(tuple(found[0]), tuple(found[1]))


def speech_probabilities(samples: np.ndarray) -> np.ndarray:
    """One speech probability per 512 samples (32 ms) of a 16 kHz signal."""
    from faster_whisper.vad import get_vad_model

    padded = np.pad(samples, (0, FRAME - len(samples) % FRAME))
    return np.asarray(get_vad_model()(padded)).reshape(-1)


def regions(probabilities: np.ndarray, n_samples: int, options: VadOptions, threshold: float) -> list[tuple[int, int]]:
    """(start, end) sample indices of speech: faster-whisper's get_speech_timestamps (MIT licence),
    ported to take the probabilities, so that one pass of the model serves both levels.

    Speech starts where the probability reaches `threshold` and ends after `min_silence_ms` below
    threshold - RELEASE_MARGIN; regions over `max_region_s` are cut at their last pause; each is padded.
    """
    neg_threshold = max(threshold - RELEASE_MARGIN, 0.01)
    min_speech = RATE * options.min_speech_ms / 1000
    pad = RATE * options.speech_pad_ms / 1000
    max_speech = RATE * options.max_region_s - FRAME - 2 * pad
    min_silence = RATE * options.min_silence_ms / 1000
    min_silence_at_max_speech = RATE * PAUSE_TO_CUT_S

    triggered, speeches, current = False, [], {}
    temp_end = prev_end = next_start = 0
    for i, probability in enumerate(probabilities):
        position = FRAME * i
        if probability >= threshold and temp_end:
            temp_end = 0
            if next_start < prev_end:
                next_start = position
        if probability >= threshold and not triggered:
            triggered, current["start"] = True, position
            continue
        if triggered and position - current["start"] > max_speech:
            if prev_end:
                current["end"] = prev_end
                speeches.append(current)
                current = {}
                if next_start < prev_end:
                    triggered = False
                else:
                    current["start"] = next_start
                prev_end = next_start = temp_end = 0
            else:
                current["end"] = position
                speeches.append(current)
                current, triggered = {}, False
                prev_end = next_start = temp_end = 0
                continue
        if probability < neg_threshold and triggered:
            if not temp_end:
                temp_end = position
            if position - temp_end > min_silence_at_max_speech:
                prev_end = temp_end
            if position - temp_end < min_silence:
                continue
            current["end"] = temp_end
            if current["end"] - current["start"] > min_speech:
                speeches.append(current)
            current, triggered = {}, False
            prev_end = next_start = temp_end = 0
    if current and n_samples - current["start"] > min_speech:
        current["end"] = n_samples
        speeches.append(current)

    for i, speech in enumerate(speeches):  # pad, splitting short pauses between neighbours
        if i == 0:
            speech["start"] = int(max(0, speech["start"] - pad))
        if i != len(speeches) - 1:
            silence = speeches[i + 1]["start"] - speech["end"]
            if silence < 2 * pad:
                speech["end"] += int(silence // 2)
                speeches[i + 1]["start"] = int(max(0, speeches[i + 1]["start"] - silence // 2))
            else:
                speech["end"] = int(min(n_samples, speech["end"] + pad))
                speeches[i + 1]["start"] = int(max(0, speeches[i + 1]["start"] - pad))
        else:
            speech["end"] = int(min(n_samples, speech["end"] + pad))
    return [(s["start"], s["end"]) for s in speeches]
