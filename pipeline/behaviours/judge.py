"""Learned judges: a logistic regression over a few named signals and, where it reads meaning, the
sentence vectors of the text it judges, fitted offline by tools/fit_judges.py on the labelled calls of
every writer and shipped as JSON (judges/<name>.json).

A judge turns the rule and embedding signals a stage already computes (a phrase matched, a genuine
apology, the words of the cue repeated, a sentence model's probability, …) into one calibrated
probability, which is the event's confidence. Phrases miss what is said without them ("it's been a bit
of a week"), so a judge may also weigh the MiniLM vector of the text itself (its `meaning` part: one
weight per dimension), which learns from every writer's wording at once. It stays explainable:
`strongest` names the signal that pushed the decision most. The weights are plain numbers, so no
pickled model can break on an upgrade, and the file also records what it was fitted on and its
cross-validated figures."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import ModelError

JUDGES = Path(__file__).parent / "judges"


@dataclass(frozen=True)
class Judge:
    """`probability(signals)` = sigmoid(intercept + Σ weight · (signal - mean) / scale + Σ meaning · vector),
    where each name of `meaning` is a signal that is a unit sentence vector (unscaled: its components
    are already of one size)."""

    name: str
    features: tuple[str, ...]
    weights: tuple[float, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    intercept: float
    threshold: float  # chosen in cross-validation on the development calls, precision first
    about: dict = field(default_factory=dict, compare=False)  # what it was fitted on, its cross-validated figures
    meaning: dict[str, tuple[float, ...]] = field(default_factory=dict)  # vector signal → one weight per dimension

    def probability(self, signals: dict[str, float]) -> float:
        return 1.0 / (1.0 + math.exp(-self._logit(signals)))

    def verdict(self, signals: dict[str, float], threshold: float | None = None) -> tuple[bool, float]:
        """(whether the probability reaches `threshold`, or the judge's own when None; the probability)."""
        probability = self.probability(signals)
        return probability >= self._limit(threshold), probability

    def best(self, candidates: dict[int, dict[str, float]], threshold: float | None = None) -> list[tuple[int, float]]:
        """Of `candidates` (id → signals), the one the judge is surest of, as [(id, probability)], when
        it reaches `threshold` (the judge's own when None); [] when none does."""
        scored = [(self.probability(signals), key) for key, signals in candidates.items()]
        if not scored:
            return []
        probability, key = max(scored)
        return [(key, probability)] if probability >= self._limit(threshold) else []

    def _limit(self, threshold: float | None) -> float:
        """`threshold`, or the judge's own when None (0 is a threshold, not "unset")."""
        return self.threshold if threshold is None else threshold

    def _logit(self, signals: dict[str, float]) -> float:
        return self.intercept + sum(self._contributions(signals).values())

    def _contributions(self, signals: dict) -> dict[str, float]:
        missing = [f for f in (*self.features, *self.meaning) if f not in signals]
        if missing:
            raise ModelError(f"the {self.name} judge needs the signals {missing}", "refit it with tools/fit_judges.py")
        contributions = {f: w * (float(signals[f]) - m) / s for f, w, m, s in zip(self.features, self.weights, self.means, self.scales)}
        for name, weights in self.meaning.items():
            vector = signals[name]
            if len(vector) != len(weights):
                raise ModelError(f"the {self.name} judge reads {len(weights)}-dimensional {name} vectors, not {len(vector)}",
                                 "refit it with tools/fit_judges.py for this sentence model")
            contributions[name] = float(np.dot(weights, vector))
        return contributions

    def strongest(self, signals: dict[str, float], among: tuple[str, ...]) -> str:
        """Which of the signals `among` pushed this decision up the most."""
        contributions = self._contributions(signals)
        return max(among, key=lambda f: contributions.get(f, float("-inf")))

    def document(self) -> dict:
        return {"name": self.name, "features": list(self.features), "weights": list(self.weights), "means": list(self.means),
                "scales": list(self.scales), "intercept": self.intercept, "threshold": self.threshold,
                "meaning": {name: list(weights) for name, weights in self.meaning.items()}, "about": self.about}

    @classmethod
    def of(cls, document: dict) -> "Judge":
        return cls(document["name"], tuple(document["features"]), tuple(document["weights"]), tuple(document["means"]),
                   tuple(document["scales"]), float(document["intercept"]), float(document["threshold"]), document.get("about", {}),
                   {name: tuple(float(w) for w in weights) for name, weights in document.get("meaning", {}).items()})


@lru_cache(maxsize=None)
def load_judge(name: str) -> Judge:
    """The judge shipped as judges/<name>.json."""
    path = JUDGES / f"{name}.json"
    try:
        return Judge.of(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError) as error:
        raise ModelError(f"the {name} judge ({path}) cannot be read: {error}", "reinstall callqa, or refit it with tools/fit_judges.py") from error


def fit_judge(name: str, rows: list[dict], labels: list[bool], *, threshold: float,
              regularization: float = 1.0, about: dict | None = None) -> Judge:
    """A judge fitted on `rows` of signals (every row has the same keys; a signal that is a vector is
    read as meaning) and their labels."""
    from sklearn.linear_model import LogisticRegression

    vectors = tuple(f for f, value in rows[0].items() if np.ndim(value) == 1)
    features = tuple(f for f in rows[0] if f not in vectors)
    x = np.array([[row[f] for f in features] for row in rows], dtype=float)
    means, scales = x.mean(axis=0), x.std(axis=0)
    scales[scales == 0] = 1.0
    read = [np.array([row[f] for row in rows], dtype=float) for f in vectors]
    model = LogisticRegression(C=regularization, max_iter=5000).fit(np.hstack([(x - means) / scales, *read]),
                                                                    np.asarray(labels, dtype=bool))
    weights = model.coef_[0]
    meaning, at = {}, len(features)
    for f, block in zip(vectors, read):
        meaning[f] = tuple(float(w) for w in weights[at:at + block.shape[1]])
        at += block.shape[1]
    return Judge(name, features, tuple(float(w) for w in weights[:len(features)]), tuple(float(m) for m in means),
                 tuple(float(s) for s in scales), float(model.intercept_[0]), threshold, about or {}, meaning)
