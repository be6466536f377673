"""The score stage: a scorecard over one call's result document → points per criterion, a total
0-100, a band, and evidence behind every answer (what was found, or what was missing and when)."""
from __future__ import annotations

from typing import Any

from ..models import CriterionScore, Score
from .measures import MEASURES
from .scorecard import Criterion, Scorecard


def score_call(document: dict[str, Any], scorecard: Scorecard) -> Score:
    criteria = tuple(_judge(criterion, document) for criterion in scorecard.criteria)
    applicable = [c for c in criteria if c.result != "na"]
    points = round(sum(c.points for c in applicable), 2)
    possible = round(sum(c.max for c in applicable), 2)
    computed = round(100 * points / possible, 1) if possible else None
    failed_critical = tuple(c.id for c in criteria if c.critical and c.result == "fail")
    total = 0.0 if failed_critical else computed
    return Score(scorecard.id, scorecard.version, total, computed, points, possible, scorecard.band(total), failed_critical, criteria)


def _judge(criterion: Criterion, document: dict[str, Any]) -> CriterionScore:
    measure = MEASURES[criterion.measure](document)
    common = dict(id=criterion.id, section=criterion.section, label=criterion.label, critical=criterion.critical,
                  evidence=measure.evidence)
    if measure.value is None:
        return CriterionScore(**common, result="na", points=0.0, max=0.0, reason=f"not applicable: {measure.reason}")
    share, condition = next(((points, condition) for condition, points in criterion.bands if condition.holds(measure.value)), (0.0, None))
    result = "pass" if share >= 1 else "fail" if share <= 0 else "partial"
    if condition is None:  # name the rule's best band, which the call missed
        reason = f"{measure.reason}; {criterion.measure} should be {criterion.bands[0][0].describe()}"
    else:
        reason = f"{measure.reason}; {criterion.measure} is {condition.describe()}"
    return CriterionScore(**common, result=result, points=round(criterion.weight * share, 2), max=criterion.weight, reason=reason)
