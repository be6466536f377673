import json

import numpy as np
import pytest

from pipeline.behaviours import judge as judge_module
from pipeline.behaviours.acknowledge import pair_signals
from pipeline.behaviours.checks import closing_signals, recap_signals
from pipeline.behaviours.cues import candidate_cues, cue_signals
from pipeline.behaviours.judge import Judge, fit_judge, load_judge
from pipeline.config import CheckOptions, CueOptions
from pipeline.errors import ModelError
from pipeline.models import Cue

from .conftest import turns_of


def synthetic_rows(n=400, seed=3):
    """`telling` decides the label (with noise); `noise` has nothing to do with it."""
    rng = np.random.default_rng(seed)
    telling, noise = rng.normal(size=n), rng.normal(size=n)
    labels = telling + 0.3 * rng.normal(size=n) > 0
    return [{"telling": float(a), "noise": float(b)} for a, b in zip(telling, noise)], labels.tolist()


def test_a_fitted_judge_weighs_the_telling_signal_and_survives_its_file():
    rows, labels = synthetic_rows()
    judge = fit_judge("t", rows, labels, threshold=0.6, about={"fitted_on": ["synthetic"]})
    assert judge.weights[0] > 5 * abs(judge.weights[1])
    assert judge.probability({"telling": 2, "noise": 0}) > 0.9 > 0.1 > judge.probability({"telling": -2, "noise": 0})
    again = Judge.of(json.loads(json.dumps(judge.document())))
    assert again == judge and again.about == {"fitted_on": ["synthetic"]}
    assert judge.strongest({"telling": 2, "noise": 2}, ("telling", "noise")) == "telling"
    sure = judge.probability({"telling": 2, "noise": 0})
    assert judge.verdict({"telling": 2, "noise": 0}) == (True, sure)
    assert not judge.verdict({"telling": 2, "noise": 0}, threshold=sure + 1e-9)[0]
    assert judge.verdict({"telling": -2, "noise": 0}, threshold=0.0)[0]  # 0 is a threshold, not "the judge's own"
    accuracy = np.mean([(judge.probability(r) >= 0.5) == y for r, y in zip(rows, labels)])
    assert accuracy > 0.85


def test_best_picks_the_one_candidate_the_judge_is_surest_of_only_when_sure_enough():
    judge = fit_judge("t", *synthetic_rows(), threshold=0.6)
    candidates = {3: {"telling": -1.0, "noise": 0.0}, 7: {"telling": 2.0, "noise": 0.0}, 9: {"telling": 0.5, "noise": 0.0}}
    [(key, probability)] = judge.best(candidates)
    assert key == 7 and probability == judge.probability(candidates[7])
    assert judge.best({3: candidates[3]}) == []  # below the judge's threshold: nothing
    assert judge.best({3: candidates[3]}, threshold=0.0) == [(3, judge.probability(candidates[3]))]
    assert judge.best({}) == []


def test_a_judge_reads_a_vector_signal_as_meaning_and_keeps_it_in_its_file():
    """A vector among the signals gets one weight per dimension: here only its first dimension tells."""
    rows, labels = synthetic_rows()
    rng = np.random.default_rng(5)
    rows = [{"noise": r["noise"], "meaning": np.array([r["telling"], *rng.normal(size=3)])} for r in rows]
    judge = fit_judge("t", rows, labels, threshold=0.5)
    assert judge.features == ("noise",) and len(judge.meaning["meaning"]) == 4
    weights = judge.meaning["meaning"]
    assert weights[0] > 5 * max(abs(w) for w in weights[1:])
    assert judge.probability({"noise": 0, "meaning": np.array([2, 0, 0, 0])}) > 0.9
    assert judge.strongest({"noise": 0, "meaning": np.array([2, 0, 0, 0])}, ("noise", "meaning")) == "meaning"
    assert Judge.of(json.loads(json.dumps(judge.document()))) == judge
    with pytest.raises(ModelError, match="4-dimensional meaning vectors, not 3"):
        judge.probability({"noise": 0, "meaning": np.zeros(3)})


def test_a_judge_refuses_signals_it_was_not_fitted_on():
    judge = fit_judge("t", *synthetic_rows(), threshold=0.5)
    with pytest.raises(ModelError, match="telling"):
        judge.probability({"noise": 1.0})


def test_an_unreadable_judge_file_says_what_to_do(tmp_path, monkeypatch):
    (tmp_path / "broken.json").write_text("{not json")
    monkeypatch.setattr(judge_module, "JUDGES", tmp_path)
    load_judge.cache_clear()
    try:
        with pytest.raises(ModelError, match="broken.*fit_judges"):
            load_judge("broken")
    finally:
        load_judge.cache_clear()


def test_the_shipped_judges_read_exactly_the_signals_the_stages_give(models):
    """A judge fitted on other signals than the code now computes would silently misjudge."""
    customer, agent = models.classifier("customer_sentences"), models.classifier("agent_sentences")
    text = "This is the third time I've called and I'm so frustrated."
    found = candidate_cues(text, CueOptions(), customer)
    cue = Cue(id="c1", turn=0, start=0, end=1, text="third time", kind="frustration", polarity="negative", confidence=1, source="text")
    agent_turn = turns_of(("customer", text), ("agent", "I'm sorry, that is frustrating."))[1]
    turns = turns_of(("customer", text), ("agent", "So this is the third time you have called? I'll refund it today."))
    given = {"cue": cue_signals(text, found, customer), "acknowledgement": pair_signals(cue, agent_turn, 1, True, False, agent),
             "recap": recap_signals(turns, models.encoder, CheckOptions())[1], "closing": closing_signals(turns, CheckOptions())[1]}
    for name, signals in given.items():
        judge = load_judge(name)
        assert set(judge.features) | set(judge.meaning) == set(signals), name
        assert all(len(weights) == len(signals[vector]) for vector, weights in judge.meaning.items()), name
    assert load_judge("cue").meaning and load_judge("recap").meaning  # the two judges that read meaning
    for name in ("cue", "acknowledgement", "recap", "closing"):
        about = load_judge(name).about
        assert 0 < load_judge(name).threshold < 1 and about["examples"] > about["positives"] > 0
