"""Speech to words with faster-whisper: Silero VAD regions, each decoded on its own, in batches."""
from __future__ import annotations

import logging
from bisect import bisect_left, bisect_right
from functools import partial
from itertools import accumulate
from pathlib import Path

from ..config import EMBEDDED_MODELS, WINDOW_S, AsrOptions
from ..errors import ModelError
from ..models import Audio, CallSpec, SpeakerTrack, SpeechActivity, Word
from .embedded import embedded_model_path
from .vocabulary import hot_words, load_vocabulary

logger = logging.getLogger("callqa")


def resolve_model(name: str) -> str:
    """The model argument for faster-whisper: an embedded package's folder, a local path, or a name."""
    if name in EMBEDDED_MODELS:
        return embedded_model_path(name)
    if name.startswith("embedded:"):
        raise ModelError(f"no embedded ASR model {name!r}", f"choose one of {', '.join(EMBEDDED_MODELS)}, or a local model folder")
    looks_like_path = "/" in name or "\\" in name or name.startswith(".")
    if looks_like_path and not (Path(name) / "model.bin").is_file():
        raise ModelError(
            f"cannot load ASR model {name!r}: no CTranslate2 model (model.bin) in that folder",
            "pass a folder converted with ct2-transformers-converter, or leave --asr-model out for the embedded model",
        )
    return name


class Transcriber:
    """Holds one loaded Whisper model; `words(audio, speech, channel)` transcribes one channel."""

    def __init__(self, options: AsrOptions | dict | None = None):
        from faster_whisper import BatchedInferencePipeline, WhisperModel

        self.options = AsrOptions.of(options)
        self.vocabulary = load_vocabulary(self.options.vocabulary)  # read once: a bad file stops the batch at its start
        model = resolve_model(self.options.model)
        try:
            self.model = WhisperModel(
                model,
                device=self.options.device,
                compute_type=self.options.compute_type,
                cpu_threads=self.options.cpu_threads,
                local_files_only=Path(model).exists(),
            )
        except Exception as error:  # faster-whisper raises hub, file and runtime errors alike
            raise ModelError(
                f"cannot load ASR model {self.options.model!r}: {error}",
                "pass --asr-model with a local CTranslate2 model folder, or a model name when a model hub "
                "is reachable; leave it out for the embedded tiny.en",
            ) from error
        self.pipeline = BatchedInferencePipeline(self.model)

    def hot_words(self, spec: CallSpec) -> str:
        """What this call is decoded with as hot words ("" when they are off)."""
        return hot_words(spec, self.vocabulary) if self.options.hot_words else ""

    def words(self, audio: Audio, speech: tuple[tuple[float, float], ...], channel: int | None = None, *,
              speaker: str = "", hot_words: str = "") -> list[Word]:
        """Words with timestamps for one channel (None: all mixed), decoded over its VAD regions `speech`.

        Whisper sometimes ends a chunk early and drops its last utterances ("Sorry, one moment, let me
        check something."), so speech the VAD found and no word covers is decoded once more, each such
        region on its own."""
        decode = partial(self._decode, audio, speech, channel, speaker)
        words = [w for chunks in _windows(merge_regions(speech, self.options.max_chunk_s), WINDOW_S) for w in decode(hot_words, chunks)]
        missed = _uncovered(speech, words, self.options.min_missed_s)
        if missed:  # without hot words: alone, a short utterance is pulled towards the names it was given
            words = sorted(words + [w for regions in _windows(missed, WINDOW_S) for w in decode("", regions)], key=lambda w: w.start)
        return words

    def _decode(self, audio: Audio, speech: tuple[tuple[float, float], ...], channel: int | None, speaker: str, hot_words: str,
                chunks: list[tuple[float, float]]) -> list[Word]:
        """The words of `chunks` (each decoded on its own, in batches), read from one stretch of audio."""
        offset = chunks[0][0]
        segments, _ = self.pipeline.transcribe(
            audio.segment(offset, chunks[-1][1], channel),
            language=self.options.language,
            beam_size=self.options.beam_size,
            batch_size=self.options.batch_size,
            word_timestamps=True,
            clip_timestamps=[{"start": start - offset, "end": end - offset} for start, end in chunks],
            hotwords=hot_words or None,
            no_repeat_ngram_size=self.options.no_repeat_ngram_size,
        )
        words = []
        for segment in segments:
            for word in segment.words or ():
                text = word.word.strip()
                if text:
                    start, end = fit_to_speech(offset + word.start, offset + word.end, speech)
                    words.append(Word(text, round(float(start), 3), round(float(end), 3), round(float(word.probability), 3), speaker))
        return words


def _uncovered(speech: tuple[tuple[float, float], ...], words: list[Word], min_s: float) -> list[tuple[float, float]]:
    """The speech regions of at least `min_s` that no word overlaps."""
    ordered = sorted(words, key=lambda w: w.start)
    starts = [w.start for w in ordered]
    latest_end = list(accumulate((w.end for w in ordered), max))  # the furthest any word so far reaches
    missed = []
    for start, end in speech:
        before = bisect_left(starts, end)  # the words that start before the region ends
        if end - start >= min_s and (before == 0 or latest_end[before - 1] <= start):
            missed.append((start, end))
    return missed


def channel_tracks(audio: Audio, activity: list[SpeechActivity], transcriber: Transcriber, hot_words: str = "") -> list[SpeakerTrack]:
    """One track per channel, labelled `ch0`, `ch1`, …, transcribed over that channel's VAD regions
    (`activity`, one per channel), so crosstalk never mixes the parties."""
    return [SpeakerTrack(f"ch{index}", tuple(transcriber.words(audio, regions.speech, index, speaker=f"ch{index}", hot_words=hot_words)),
                         channel=index)
            for index, regions in enumerate(activity)]


def _windows(chunks: list[tuple[float, float]], window_s: float) -> list[list[tuple[float, float]]]:
    """Consecutive chunks grouped so that each group spans at most `window_s` (or is one chunk)."""
    groups: list[list[tuple[float, float]]] = []
    for chunk in chunks:
        if groups and chunk[1] - groups[-1][0][0] <= window_s:
            groups[-1].append(chunk)
        else:
            groups.append([chunk])
    return groups


def fit_to_speech(start: float, end: float, speech: list[tuple[float, float]]) -> tuple[float, float]:
    """Keep a word inside the speech region it belongs to.

    Word timings from cross-attention stretch the last word of a region over the pause that
    follows it (the pause is inside the decoded chunk); the VAD knows where speech stopped.
    """
    i = bisect_right([s for s, _ in speech], start) - 1
    if i < 0 or start >= speech[i][1]:  # starts in a pause: belongs to the next region
        i = min(i + 1, len(speech) - 1)
    region_start, region_end = speech[i]
    start = min(max(start, region_start), region_end)
    return start, max(start, min(end, region_end))


def merge_regions(regions: list[tuple[float, float]], max_chunk_s: float) -> list[tuple[float, float]]:
    """Join neighbouring speech regions into chunks of at most `max_chunk_s` (pauses included).

    Whisper pads every input to 30 s, so decoding each short region alone costs a full encoder pass
    per region; chunks of a few regions cost far less and still never cross into a 30 s window.
    """
    chunks: list[tuple[float, float]] = []
    for start, end in regions:
        if chunks and end - chunks[-1][0] <= max_chunk_s:
            chunks[-1] = (chunks[-1][0], end)
        else:
            chunks.append((start, end))
    return chunks
