"""The score stage over documents built in code."""
import pytest

from pipeline.reports.score import score_call
from pipeline.reports.scorecard import load_scorecard

from .conftest import result_document


@pytest.fixture(scope="module")
def default():
    return load_scorecard()


def by_id(score):
    return {c.id: c for c in score.criteria}


def test_a_call_with_no_cues_has_its_acknowledgement_criteria_na_and_out_of_the_maximum(default):
    score = score_call(result_document("c1", "A1", "2026-11-20T09:00:00", cues=0, acknowledged=0), default)
    criteria = by_id(score)
    for name in ("acknowledged_cues", "acknowledged_quickly"):
        assert criteria[name].result == "na" and criteria[name].max == 0
        assert "no customer cues" in criteria[name].reason
    applicable = sum(c.weight for c in default.criteria if c.id not in ("acknowledged_cues", "acknowledged_quickly"))
    assert score.max_points == applicable
    assert score.total == round(100 * score.points / applicable, 1)


def test_partial_points_from_bands_and_evidence_for_what_is_missing(default):
    document = result_document("c1", "A1", "2026-11-20T09:00:00", cues=2, acknowledged=1, latency_s=3.0)
    criteria = by_id(score_call(document, default))
    acknowledged = criteria["acknowledged_cues"]
    assert acknowledged.result == "partial" and acknowledged.points == 12.5
    missing = [e for e in acknowledged.evidence if e.get("note") == "never acknowledged"]
    cue = next(e for e in document["events"] if e["id"] == "c2")
    assert missing == [{"event": "c2", "start": cue["start"], "end": cue["end"], "note": "never acknowledged",
                        "expected_from": cue["end"], "expected_by": cue["end"] + 45.0}]
    assert criteria["acknowledged_quickly"].result == "partial"  # 3 s: inside the half-points band


def test_a_failed_critical_criterion_gives_zero_and_keeps_the_computed_total():
    strict = load_scorecard("scorecards/strict.yaml")
    score = score_call(result_document("c1", "A1", "2026-11-20T09:00:00", blame=1), strict)
    assert score.auto_failed_by == ("no_blame",)
    assert score.total == 0.0 and score.computed_total > 50
    assert score.band == "poor"
    blame = by_id(score)["no_blame"]
    assert blame.result == "fail" and blame.evidence[0]["event"] == "b1"


def test_every_criterion_na_gives_no_total(tmp_path):
    card = tmp_path / "card.yaml"
    card.write_text("id: t\nversion: 1\nsections:\n - id: s\n   criteria:\n    - {id: ack, label: Ack, measure: cues_acknowledged_share,"
                    " weight: 1, rule: {pass: {min: 1}}}\n")
    score = score_call(result_document("c1", "A1", "2026-11-20", cues=0, acknowledged=0), load_scorecard(card))
    assert score.total is None and score.band == "n/a"


@pytest.mark.parametrize("turns", [
    [],  # a silent recording
    [{"id": 0, "speaker": "customer", "start": 0.0, "end": 4.0, "text": "hello? is anyone there?", "words": []},
     {"id": 1, "speaker": "agent", "start": 5.0, "end": 6.0, "text": "  ", "words": []}],  # the agent never answers
])
def test_a_call_without_agent_speech_has_no_total_and_every_criterion_na(default, turns):
    """It used to score 50, "needs coaching", for the absence of blame and of a recap alike."""
    document = {**result_document("c1", "A1", "2026-11-20T09:00:00", cues=0, acknowledged=0, recap=False, closing=False),
                "turns": turns}
    score = score_call(document, default)
    assert score.total is None and score.computed_total is None and score.band == "n/a"
    assert score.max_points == 0 and not score.auto_failed_by
    assert all(c.result == "na" and "the agent said nothing" in c.reason for c in score.criteria)
