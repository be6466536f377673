"""Customer arousal per turn, and the agent's tone: engagement, calm, pace, adaptation (0-100 each,
with the features behind them)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..config import ToneOptions
from ..errors import ConfigError
from ..models import AGENT, CUSTOMER, AgentTone, Baseline, Features, Prosody, ToneScore, Turn

FEATURES = ("level_db", "pitch_st", "pitch_variability_st", "rate_ratio")
# Built-in weights on features scaled to typical spans (6 dB, 3 semitones, 2 semitones, 25 % pace):
# louder, higher, more varied and faster speech is more aroused (the acoustic correlates of anger and
# excitement in the speech-emotion literature). Not learned from any data set.
DEFAULT_WEIGHTS = {"level_db": 1.2 / 6, "pitch_st": 0.8 / 3, "pitch_variability_st": 0.4 / 2, "rate_ratio": 0.4 / 0.25}
DEFAULT_CENTRE = {"level_db": 0.0, "pitch_st": 0.0, "pitch_variability_st": 0.0, "rate_ratio": 1.0}
CALM_POINTS_PER_DB = 10.0  # calm loses this many points per dB the agent rises over a heated customer
ADAPTATION_FULL_RISE_DB = 6.0  # an agent this much louder than usual at a heated customer adapts not at all


class ArousalModel:
    """Prosody features (against the speaker's baseline) → arousal 0-100.

    Unfitted, it uses the built-in weights. fit(rows, labels) learns a calibrated logistic regression
    from a team's own labelled turns (labels 1 = heated, 0 = calm); learned attributes end in `_`.
    """

    def __init__(self, weights: dict[str, float] | None = None, centre: dict[str, float] | None = None, bias: float = 0.0):
        self.weights = dict(weights or DEFAULT_WEIGHTS)
        self.centre = dict(centre or DEFAULT_CENTRE)
        self.bias = bias

    def _matrix(self, rows: list[dict]) -> np.ndarray:
        return np.array([[(row.get(name) if row.get(name) is not None else self.centre[name]) - self.centre[name] for name in FEATURES] for row in rows])

    def fit(self, rows: list[dict], labels: list[int]) -> "ArousalModel":
        from sklearn.linear_model import LogisticRegression

        if len(set(labels)) < 2:
            raise ConfigError("fitting arousal needs both heated (1) and calm (0) examples")
        model = LogisticRegression(max_iter=1000).fit(self._matrix(rows), labels)
        self.coef_ = dict(zip(FEATURES, model.coef_[0].tolist()))
        self.intercept_ = float(model.intercept_[0])
        self.weights, self.bias = self.coef_, self.intercept_
        return self

    def predict(self, rows: list[dict]) -> list[float | None]:
        """Arousal 0-100 per row; None where no feature could be measured."""
        if not rows:
            return []
        z = self._matrix(rows) @ np.array([self.weights[n] for n in FEATURES]) + self.bias
        scores = 100 / (1 + np.exp(-z))
        return [None if all(row.get(n) is None for n in FEATURES) else round(float(s), 1) for row, s in zip(rows, scores)]

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps({"weights": self.weights, "centre": self.centre, "bias": self.bias}, indent=1))

    @classmethod
    def load(cls, path: str | Path) -> "ArousalModel":
        try:
            data = json.loads(Path(path).read_text())
            return cls(data["weights"], data["centre"], data["bias"])
        except (OSError, ValueError, KeyError) as error:
            raise ConfigError(f"cannot read tone model {path}: {error}", "write one with `callqa fit-tone`") from error


def assess_voice(turns: list[Turn], features: dict[int, Features], model: ArousalModel,
                 options: ToneOptions | dict | None = None) -> Prosody:
    """Each party's baseline, each turn's arousal against its speaker's baseline, the agent's tone."""
    arousal = arousal_by_turn(turns, features, model)
    parties = {role: party_summary(turns, features, role) for role in sorted({t.speaker for t in turns})}
    return Prosody(parties, agent_tone(turns, features, arousal, options), features, arousal)


def party_summary(turns: list[Turn], features: dict[int, Features], speaker: str) -> Baseline:
    """Medians of a party's turn features: their baseline in this call."""
    own = [features[t.id] for t in turns if t.speaker == speaker and t.id in features]

    def median(name: str) -> float | None:
        values = [getattr(f, name) for f in own if getattr(f, name) is not None]
        return round(float(np.median(values)), 2) if values else None

    return Baseline(**{name: median(name) for name in ("level_dbfs", "pitch_median_hz", "pitch_range_st", "pitch_variability_st",
                                                        "words_per_second", "syllables_per_second", "pause_share")}, turns=len(own))


def relative_to_baseline(turns: list[Turn], features: dict[int, Features], speaker: str) -> dict[int, dict[str, float | None]]:
    """Each of `speaker`'s turns against that speaker's median: dB of loudness, semitones of pitch,
    and the ratio of pace."""
    base = party_summary(turns, features, speaker)
    result = {}
    for turn in turns:
        f = features.get(turn.id)
        if turn.speaker != speaker or f is None:
            continue
        result[turn.id] = {
            "level_db": None if f.level_dbfs is None or base.level_dbfs is None else f.level_dbfs - base.level_dbfs,
            "pitch_st": None if f.pitch_median_hz is None or base.pitch_median_hz is None else 12 * np.log2(f.pitch_median_hz / base.pitch_median_hz),
            "pitch_variability_st": None if f.pitch_variability_st is None or base.pitch_variability_st is None else f.pitch_variability_st - base.pitch_variability_st,
            "rate_ratio": None if not f.syllables_per_second or not base.syllables_per_second else f.syllables_per_second / base.syllables_per_second,
        }
    return result


def arousal_by_turn(turns: list[Turn], features: dict[int, Features], model: ArousalModel) -> dict[int, float | None]:
    """Arousal of every turn against its own speaker's baseline in the call."""
    result = {}
    for speaker in {t.speaker for t in turns}:
        relative = relative_to_baseline(turns, features, speaker)
        ids = list(relative)
        result.update(zip(ids, model.predict([relative[i] for i in ids])))
    return result


def agent_tone(turns: list[Turn], features: dict[int, Features], arousal: dict[int, float | None],
               options: ToneOptions | dict | None = None) -> AgentTone:
    """Engagement, calm, pace and adaptation of the agent, 0-100 each (None when not measurable)."""
    options = ToneOptions.of(options)
    agent = [t for t in turns if t.speaker == AGENT and t.id in features]
    variability = [features[t.id].pitch_variability_st for t in agent if features[t.id].pitch_variability_st is not None]
    pace = [features[t.id].syllables_per_second for t in agent if features[t.id].syllables_per_second]
    relative = relative_to_baseline(turns, features, AGENT)
    heated, calm_customer = [], []
    for previous, turn in zip(turns, turns[1:]):
        if previous.speaker == CUSTOMER and turn.speaker == AGENT and turn.id in relative and arousal.get(previous.id) is not None:
            (heated if arousal[previous.id] >= options.heated_arousal else calm_customer).append((previous, turn))

    engagement = None
    if variability:
        value = float(np.median(variability))
        engagement = ToneScore(_scale(value, options.monotone_st, options.lively_st), {"pitch_variability_st": round(value, 2)})
    pace_score = None
    if pace:
        value = float(np.median(pace))
        low, high = options.pace_sps
        outside = max(low - value, value - high, 0.0)
        pace_score = ToneScore(round(100 * max(0.0, 1 - outside / options.pace_tolerance), 1), {"syllables_per_second": round(value, 2)})
    calm = None
    if heated:
        rises = [max(0.0, relative[t.id]["level_db"] or 0.0) for _, t in heated]
        calm = ToneScore(round(max(0.0, 100 - CALM_POINTS_PER_DB * float(np.mean(rises))), 1),
                         {"heated_customer_turns": len(heated), "agent_level_rise_db": round(float(np.mean(rises)), 2)})
    adaptation = None
    if calm_customer or heated:
        # toward a calm customer's pace; below their own energy with a heated one
        customer = relative_to_baseline(turns, features, CUSTOMER)
        gaps = []
        for previous, turn in calm_customer:
            if customer.get(previous.id, {}).get("rate_ratio") and relative[turn.id]["rate_ratio"]:
                gaps.append(abs(relative[turn.id]["rate_ratio"] - customer[previous.id]["rate_ratio"]))
        for _, turn in heated:
            if relative[turn.id]["level_db"] is not None:
                gaps.append(max(0.0, relative[turn.id]["level_db"]) / ADAPTATION_FULL_RISE_DB)
        if gaps:
            adaptation = ToneScore(round(max(0.0, 100 * (1 - float(np.mean(gaps)))), 1), {"responses": len(gaps)})
    return AgentTone(engagement, calm, pace_score, adaptation)


def _scale(value: float, zero: float, hundred: float) -> float:
    return round(100 * min(1.0, max(0.0, (value - zero) / (hundred - zero))), 1)


# Without a call to set a speaker's baseline, a lone clip is compared with these.
CLIP_REFERENCE = {"level_dbfs": -26.0, "pitch_variability_st": 2.0}


def clip_rows(clips: list[Features]) -> list[dict]:
    """Arousal inputs of stand-alone clips. Three or more are taken as one speaker's clips, each
    measured against their median (as turns are within a call); fewer against fixed references."""
    def median(name: str) -> float | None:
        values = [getattr(c, name) for c in clips if getattr(c, name) is not None]
        return float(np.median(values)) if values else None

    shared = len(clips) >= 3
    level = median("level_dbfs") if shared else CLIP_REFERENCE["level_dbfs"]
    pitch = median("pitch_median_hz") if shared else None
    variability = median("pitch_variability_st") if shared else CLIP_REFERENCE["pitch_variability_st"]
    rows = [{
        "level_db": None if c.level_dbfs is None or level is None else c.level_dbfs - level,
        "pitch_st": None if c.pitch_median_hz is None or pitch is None else 12 * np.log2(c.pitch_median_hz / pitch),
        "pitch_variability_st": None if c.pitch_variability_st is None or variability is None else c.pitch_variability_st - variability,
        "rate_ratio": None,
    } for c in clips]
    return rows


def clip_arousal(clips: list[Features], model: ArousalModel) -> list[float | None]:
    return model.predict(clip_rows(clips))
