"""The score stage: a scorecard over one call's result document → points per criterion, a total
0-100, a band, and evidence behind every answer (what was found, or what was missing and when).

A call in which the agent said nothing (a silent recording, a customer left on hold) says nothing about
the agent: every criterion is N/A and there is no total, so that it is left out of the agent's means
instead of scoring "needs coaching" for the absence of blame and the absence of a recap alike."""
from __future__ import annotations

from typing import Any

from ..models import CriterionScore, Score
from .measures import MEASURES
from .scorecard import Criterion, Scorecard


NO_AGENT_SPEECH = "the agent said nothing in this call"


def agent_spoke(document: dict[str, Any]) -> bool:
    return any(t.get("speaker") == "agent" and str(t.get("text", "")).strip() for t in document.get("turns", []))


def score_call(document: dict[str, Any], scorecard: Scorecard) -> Score:
    if agent_spoke(document):
        criteria = tuple(_judge(criterion, document) for criterion in scorecard.criteria)
    else:
        criteria = tuple(_not_applicable(criterion, NO_AGENT_SPEECH) for criterion in scorecard.criteria)
    applicable = [c for c in criteria if c.result != "na"]
    points = round(sum(c.points for c in applicable), 2)
    possible = round(sum(c.max for c in applicable), 2)
    computed = round(100 * points / possible, 1) if possible else None
    failed_critical = tuple(c.id for c in criteria if c.critical and c.result == "fail")
    total = 0.0 if failed_critical else computed
    return Score(scorecard.id, scorecard.version, total, computed, points, possible, scorecard.band(total), failed_critical, criteria)


def _not_applicable(criterion: Criterion, reason: str, evidence: tuple = ()) -> CriterionScore:
    return CriterionScore(id=criterion.id, section=criterion.section, label=criterion.label, critical=criterion.critical,
                          evidence=evidence, result="na", points=0.0, max=0.0, reason=f"not applicable: {reason}")


def _judge(criterion: Criterion, document: dict[str, Any]) -> CriterionScore:
    measure = MEASURES[criterion.measure](document)
    common = dict(id=criterion.id, section=criterion.section, label=criterion.label, critical=criterion.critical,
                  evidence=measure.evidence)
    if measure.value is None:
        return _not_applicable(criterion, measure.reason, measure.evidence)
    share, condition = next(((points, condition) for condition, points in criterion.bands if condition.holds(measure.value)), (0.0, None))
    result = "pass" if share >= 1 else "fail" if share <= 0 else "partial"
    if condition is None:  # name the rule's best band, which the call missed
        reason = f"{measure.reason}; {criterion.measure} should be {criterion.bands[0][0].describe()}"
    else:
        reason = f"{measure.reason}; {criterion.measure} is {condition.describe()}"
    return CriterionScore(**common, result=result, points=round(criterion.weight * share, 2), max=criterion.weight, reason=reason)
