"""Who spoke when. Stereo: each channel is one party. Mono: a diarizer → pyannote.core Annotation,
and each word goes to the speaker it overlaps most."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

import numpy as np
from pyannote.core import Annotation, Segment, Timeline

from ..config import SAMPLE_RATE, DiarizationOptions
from ..errors import ConfigError, ModelError
from ..models import Audio, Diarization, SpeakerTrack, SpeechActivity, Word


class Diarizer(Protocol):
    def __call__(self, audio: Audio, speech: list[tuple[float, float]], *, speakers: int | None = None,
                 heard: list[tuple[float, float]] | None = None) -> Annotation:
        """Speaker turns of the recording's channels mixed; `speech` are its VAD regions in seconds,
        `heard` the wider regions where the VAD still hears speech, for a diarizer that uses them."""


def diarize(audio: Audio, activity: SpeechActivity, words: list[Word], diarizer: Diarizer, *,
            speakers: int | None = None) -> Diarization:
    """Speaker turns of a mono recording over its VAD regions (the same ones ASR decoded), and its
    words split by speaker."""
    annotation = (diarizer(audio, list(activity.speech), speakers=speakers, heard=list(activity.heard))
                  if activity.speech else Annotation())
    labelled = assign_words(words, annotation)
    labels = sorted(set(annotation.labels()) | {w.speaker for w in labelled})
    tracks = tuple(SpeakerTrack(label, tuple(w for w in labelled if w.speaker == label)) for label in labels)
    segments = tuple((segment.start, segment.end, label) for segment, _, label in annotation.itertracks(yield_label=True))
    return Diarization(tracks, segments)


def assign_words(words: list[Word], annotation: Annotation) -> list[Word]:
    """Each word to the speaker whose turns it overlaps most; a word in no turn to the nearest one.

    Overlap rather than the word's start decides, so a short "yeah" at a turn boundary goes to
    whoever says most of it.
    """
    tracks = [(segment.start, segment.end, label) for segment, _, label in annotation.itertracks(yield_label=True)]
    if not tracks:
        return [Word(w.text, w.start, w.end, w.prob, "spk0") for w in words]
    starts = np.array([t[0] for t in tracks])
    ends = np.array([t[1] for t in tracks])
    labels = [t[2] for t in tracks]
    assigned = []
    for word in words:
        overlap = np.minimum(ends, word.end) - np.maximum(starts, word.start)
        if overlap.max() > 0:
            by_label: dict[str, float] = {}
            for i in np.flatnonzero(overlap > 0):
                by_label[labels[i]] = by_label.get(labels[i], 0.0) + overlap[i]
            label = max(by_label, key=by_label.get)
        else:
            middle = (word.start + word.end) / 2
            label = labels[int(np.argmin(np.minimum(abs(starts - middle), abs(ends - middle))))]
        assigned.append(Word(word.text, word.start, word.end, word.prob, label))
    return assigned


class EmbeddedDiarizer:
    """Offline diarization: Silero VAD regions → Resemblyzer window embeddings → spectral clustering.

    Each 10 ms frame of speech takes the speaker most of its windows voted for; runs shorter than
    `min_run_s` join a neighbour.
    """

    def __init__(self, options: DiarizationOptions | dict | None = None):
        from .speakers import SpeakerEmbedder

        self.options = DiarizationOptions.of(options)
        self.embedder = SpeakerEmbedder()

    def __call__(self, audio: Audio, speech: list[tuple[float, float]], *, speakers: int | None = None,
                 heard: list[tuple[float, float]] | None = None) -> Annotation:
        from .speakers import FRAME_S, SpeakerClusterer

        annotation = Annotation()
        embeddings, spans, owners = self.embedder.windows(audio, speech, self.options.hop_s)
        if not spans:
            return annotation
        weights = np.array([end - start for start, end in spans])
        labels = SpeakerClusterer(self.options, speakers or self.options.speakers).fit(embeddings, owners, weights).labels_
        n_frames = int(np.ceil(max(end for _, end in speech) / FRAME_S)) + 1
        votes = np.zeros((n_frames, labels.max() + 1))
        for (start, end), label in zip(spans, labels):
            votes[int(start / FRAME_S):int(end / FRAME_S), label] += 1
        min_run = int(self.options.min_run_s / FRAME_S)
        for start, end in speech:
            first, last = int(start / FRAME_S), int(end / FRAME_S)
            region = votes[first:last]
            if region.any():
                frame_labels = _smooth(np.argmax(region, axis=1), min_run)
            else:  # too short to embed: the speaker of the nearest voted frame
                frame_labels = np.full(last - first, np.argmax(votes[_nearest_voted(votes, first, last)]))
            for run_start, run_end, label in _runs(frame_labels):
                annotation[Segment((first + run_start) * FRAME_S, (first + run_end) * FRAME_S)] = f"spk{label}"
        return _extend_to(annotation.support(collar=0.0), heard or [])


def _extend_to(annotation: Annotation, heard: list[tuple[float, float]]) -> Annotation:
    """Give speech heard outside the labelled turns to the nearest turn's speaker. Who is speaking
    is decided on confident speech only; these quieter stretches only widen the turns."""
    tracks = list(annotation.itertracks(yield_label=True))
    if not tracks or not heard:
        return annotation
    starts = np.array([segment.start for segment, _, _ in tracks])
    ends = np.array([segment.end for segment, _, _ in tracks])
    extended = annotation.copy()
    extra = Timeline([Segment(s, e) for s, e in heard]).support().extrude(annotation.get_timeline().support())
    for segment in extra:
        middle = segment.middle
        nearest = int(np.argmin(np.maximum(0.0, np.maximum(starts - middle, middle - ends))))
        extended[segment] = tracks[nearest][2]
    return extended.support(collar=0.0)


def _nearest_voted(votes: np.ndarray, first: int, last: int) -> int:
    voted = np.flatnonzero(votes.any(axis=1))
    middle = (first + last) // 2
    return int(voted[np.argmin(abs(voted - middle))])


def _runs(labels: np.ndarray) -> list[tuple[int, int, int]]:
    """(start, end, label) of each run of equal labels."""
    edges = np.flatnonzero(np.diff(labels)) + 1
    bounds = np.concatenate([[0], edges, [len(labels)]])
    return [(int(a), int(b), int(labels[a])) for a, b in zip(bounds, bounds[1:]) if b > a]


def _smooth(labels: np.ndarray, min_run: int) -> np.ndarray:
    """Give runs shorter than `min_run` frames to the longer neighbour."""
    labels = labels.copy()
    changed = True
    while changed:
        changed = False
        runs = _runs(labels)
        if len(runs) < 2:
            break
        for i, (start, end, _) in enumerate(runs):
            if end - start < min_run:
                neighbours = [runs[j] for j in (i - 1, i + 1) if 0 <= j < len(runs)]
                labels[start:end] = max(neighbours, key=lambda r: r[1] - r[0])[2]
                changed = True
                break
    return labels


class PyannoteDiarizer:
    """pyannote.audio behind the same interface: an optional extra (`pip install .[pyannote]`),
    imported only when chosen. `model` is a local pipeline folder or config, or a hub id with a token
    in HF_TOKEN. On a GPU machine pass `device="cuda"`."""

    def __init__(self, options: DiarizationOptions | dict | None = None, *, device: str = "cpu"):
        self.options = DiarizationOptions.of(options)
        if not self.options.model:
            raise ConfigError("the pyannote diarizer needs a model", "pass --diarization-model with a local pipeline folder or a hub id")
        try:
            import torch
            from pyannote.audio import Pipeline
        except ImportError as error:
            raise ModelError("pyannote.audio is not installed", "pip install '.[pyannote]', or use the default --diarizer embedded") from error
        model = self.options.model
        source = str(Path(model) / "config.yaml") if Path(model).is_dir() else model
        token = os.environ.get("HF_TOKEN") or os.environ.get("HUGGINGFACE_TOKEN")
        try:
            try:
                pipeline = Pipeline.from_pretrained(source, token=token)  # pyannote.audio 4
            except TypeError:
                pipeline = Pipeline.from_pretrained(source, use_auth_token=token)  # pyannote.audio 3
        except Exception as error:
            raise ModelError(f"cannot load pyannote pipeline {model!r}: {error}", "check the path, or HF_TOKEN for a gated hub model") from error
        if pipeline is None:
            raise ModelError(f"cannot load pyannote pipeline {model!r}", "accept its licence on the hub and set HF_TOKEN, or pass a local folder")
        pipeline.to(torch.device(device))
        self._torch = torch
        self.pipeline = pipeline

    def __call__(self, audio: Audio, speech: list[tuple[float, float]], *, speakers: int | None = None,
                 heard: list[tuple[float, float]] | None = None) -> Annotation:
        # pyannote finds speech itself, sliding its own windows over the whole signal, which this
        # backend therefore holds in memory.
        waveform = self._torch.from_numpy(audio.segment()[None])
        output = self.pipeline({"waveform": waveform, "sample_rate": SAMPLE_RATE}, num_speakers=speakers or self.options.speakers)
        return getattr(output, "speaker_diarization", output)


def make_diarizer(options: DiarizationOptions | dict | None = None, *, device: str = "cpu") -> Diarizer:
    options = DiarizationOptions.of(options)
    if options.backend == "embedded":
        return EmbeddedDiarizer(options)
    if options.backend == "pyannote":
        return PyannoteDiarizer(options, device=device)
    raise ConfigError(f"unknown diarizer {options.backend!r}", "use embedded or pyannote")


def write_rttm(segments: tuple[tuple[float, float, str], ...], path: str | Path, uri: str) -> None:
    """Speaker turns (start, end, label) as an RTTM file."""
    annotation = Annotation(uri=uri)
    for start, end, label in segments:
        annotation[Segment(start, end)] = label
    with open(path, "w") as handle:
        annotation.write_rttm(handle)
