"""The models one worker needs, loaded once and passed to the stages: Whisper, the diarizer with its
speaker encoder, the sentence encoder, the classifiers fitted on it and the judges, and the arousal model.

A bundle belongs to one process: batch.py makes one per worker. Models that only some calls need
(the diarizer for mono calls, the sentence models when enabled) load on first use."""
from __future__ import annotations

from dataclasses import dataclass, field

from .behaviours.judge import Judge, load_judge
from .behaviours.sentences import SentenceClassifier, SentenceEncoder, fit_classifier
from .config import PipelineOptions
from .speech.diarize import Diarizer, make_diarizer
from .speech.transcribe import Transcriber
from .voice.tone import ArousalModel


@dataclass
class ModelBundle:
    options: PipelineOptions
    transcriber: Transcriber
    arousal: ArousalModel
    _diarizer: Diarizer | None = field(default=None, repr=False)
    _encoder: SentenceEncoder | None = field(default=None, repr=False)
    _classifiers: dict[str, SentenceClassifier] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, options: PipelineOptions | dict | None = None) -> "ModelBundle":
        options = PipelineOptions.of(options)
        tone_model = options.tone.model
        return cls(options, Transcriber(options.asr), ArousalModel.load(tone_model) if tone_model else ArousalModel())

    @property
    def diarizer(self) -> Diarizer:
        if self._diarizer is None:
            self._diarizer = make_diarizer(self.options.diarization, device=self.options.asr.device)
        return self._diarizer

    @property
    def encoder(self) -> SentenceEncoder:
        if self._encoder is None:
            self._encoder = SentenceEncoder()
        return self._encoder

    @staticmethod
    def judge(name: str) -> Judge:
        """The learned judge shipped as behaviours/judges/<name>.json (cue, acknowledgement, recap, closing)."""
        return load_judge(name)

    def classifier(self, name: str) -> SentenceClassifier:
        """The sentence classifier fitted on training/<name>.yaml (customer_sentences, agent_sentences)."""
        if name not in self._classifiers:
            self._classifiers[name] = fit_classifier(self.encoder, name)
        return self._classifiers[name]
