import pytest

from pipeline.errors import ConfigError
from pipeline.models import Features
from pipeline.voice.tone import ArousalModel, agent_tone, clip_arousal

from .conftest import turns_of


def feature(level=-20.0, pitch=150.0, variability=2.0, sps=4.0):
    return Features(1.0, level, (level,), pitch, 4.0, variability, sps * 0.75, sps, 0, 0.0)


def test_louder_higher_faster_is_more_aroused():
    model = ArousalModel()
    calm, heated = model.predict([{"level_db": -3, "pitch_st": -1, "pitch_variability_st": -0.5, "rate_ratio": 0.95},
                                  {"level_db": 8, "pitch_st": 3, "pitch_variability_st": 1.5, "rate_ratio": 1.2}])
    assert calm < 50 < heated
    assert model.predict([{"level_db": None, "pitch_st": None, "pitch_variability_st": None, "rate_ratio": None}]) == [None]


def test_fit_learns_from_labelled_rows_and_round_trips(tmp_path):
    rows = [{"level_db": d, "pitch_st": 0, "pitch_variability_st": 0, "rate_ratio": 1} for d in (-4, -3, -2, 6, 7, 8)]
    model = ArousalModel().fit(rows, [0, 0, 0, 1, 1, 1])
    assert model.coef_["level_db"] > 0
    model.save(tmp_path / "m.json")
    again = ArousalModel.load(tmp_path / "m.json")
    assert again.predict(rows) == model.predict(rows)
    with pytest.raises(ConfigError):
        ArousalModel().fit(rows, [1] * 6)


def test_clips_are_measured_against_each_other():
    clips = [feature(-30), feature(-30), feature(-18, pitch=200, variability=4.0)]
    low, _, high = clip_arousal(clips, ArousalModel())
    assert high > 80 and low <= 50  # the median clip is the baseline itself


def test_agent_tone_scores():
    turns = turns_of(("agent", "hello there"), ("customer", "this is a disgrace"), ("agent", "I hear you"), ("customer", "fine"), ("agent", "okay then"))
    features = {0: feature(variability=3.5, sps=4.0), 1: feature(-10), 2: feature(variability=3.5, sps=4.0), 3: feature(-25), 4: feature(variability=3.5, sps=4.0)}
    tone = agent_tone(turns, features, {1: 95.0, 3: 20.0})
    assert tone.engagement.score == 100.0 and tone.pace.score == 100.0
    assert tone.calm.score == 100.0 and tone.calm.basis["heated_customer_turns"] == 1
    monotone = agent_tone(turns, {**features, 0: feature(variability=0.5, sps=8.0), 2: feature(variability=0.5, sps=8.0), 4: feature(variability=0.5, sps=8.0)}, {})
    assert monotone.engagement.score == 0.0 and monotone.pace.score == 0.0
    assert monotone.calm is None
