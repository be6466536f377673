"""Scorecards: YAML files of weighted criteria, each reading one measure of the per-call result
(measures.py) through a rule. A malformed file is refused with the file, the key and what was expected.

    id: default
    version: "1"
    bands: {excellent: 90, good: 75, needs_coaching: 50, poor: 0}   # a total from this value up
    sections:
      - id: empathy
        label: Empathy
        criteria:
          - id: acknowledged_cues
            label: Acknowledged the customer's feelings
            description: …what a coach reads…
            measure: cues_acknowledged_share
            weight: 25
            rule: {bands: [{min: 1.0, points: 1.0}, {min: 0.5, points: 0.5}]}   # partial points
          - id: no_blame
            measure: blame
            rule: {pass: {max: 0}}        # or {pass: {min: …}}, or {pass: true} for a yes/no measure
            critical: true                # failing it fails the call: total 0

A criterion whose measure does not apply to a call (no cues: nothing to acknowledge) is N/A: it is left
out of the maximum, with the reason recorded.
"""
from __future__ import annotations

from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigError
from .measures import MEASURES


@dataclass(frozen=True)
class Condition:
    """Holds for a value within [min, max] (either may be open), or equal to `equals` (yes/no measures)."""

    min: float | None = None
    max: float | None = None
    equals: bool | None = None

    def holds(self, value: float | bool) -> bool:
        if self.equals is not None:
            return bool(value) == self.equals
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)

    def describe(self) -> str:
        if self.equals is not None:
            return "yes" if self.equals else "no"
        parts = ([f"at least {self.min:g}"] if self.min is not None else []) + ([f"at most {self.max:g}"] if self.max is not None else [])
        return " and ".join(parts)


@dataclass(frozen=True)
class Criterion:
    id: str
    section: str
    label: str
    description: str
    measure: str
    weight: float
    bands: tuple[tuple[Condition, float], ...]  # the first condition that holds gives its share of the weight
    critical: bool = False


@dataclass(frozen=True)
class Scorecard:
    id: str
    version: str
    path: str
    bands: tuple[tuple[str, float], ...]  # (name, lowest total), highest first
    criteria: tuple[Criterion, ...]

    def band(self, total: float | None) -> str:
        if total is None:
            return "n/a"
        return next((name for name, lowest in self.bands if total >= lowest), self.bands[-1][0] if self.bands else "")


DEFAULT_BANDS = {"excellent": 90, "good": 75, "needs_coaching": 50, "poor": 0}
# the keys each level of the file may hold (the module's docstring shows them in place)
SCORECARD_KEYS = ("id", "version", "bands", "sections")
SECTION_KEYS = ("id", "label", "criteria")
CRITERION_KEYS = ("id", "label", "description", "measure", "weight", "rule", "critical")
RULE_KEYS = ("pass", "bands")
CONDITION_KEYS = ("min", "max", "points")


def load_scorecard(path: str | Path | None = None) -> Scorecard:
    """The scorecard in `path` (default: scorecards/default.yaml), checked key by key."""
    from scorecards import DEFAULT

    path = Path(path) if path else DEFAULT
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"cannot read scorecard {path}: {error.strerror or error}", "pass --scorecard with an existing YAML file") from error
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {error}", "fix the file; scorecards/default.yaml shows the format") from error
    return _parse(data, path)


class _Reader:
    """Reads one scorecard's keys, naming the file and the key in every complaint."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, where: str, expected: str, got: Any = None) -> ConfigError:
        found = "" if got is None else f", got {got!r}"
        return ConfigError(f"{self.path}: {where}: expected {expected}{found}", "scorecards/default.yaml shows the format")

    def mapping(self, value: Any, where: str, allowed: tuple[str, ...] | None = None) -> dict:
        """`value` as a mapping; with `allowed`, a key outside it is refused: a misspelt optional key
        (`critcal: true`) would otherwise fall back to its default unnoticed."""
        if not isinstance(value, dict):
            raise self.fail(where, "a mapping of keys", value)
        for key in value:
            if allowed is not None and key not in allowed:
                close = get_close_matches(str(key), allowed, n=1)
                hint = f"did you mean `{close[0]}`? " if close else ""
                raise ConfigError(f"{self.path}: {where}: unknown key {key!r}",
                                  f"{hint}the keys allowed there are {', '.join(allowed)}")
        return value

    def text(self, data: dict, key: str, where: str, default: str | None = None) -> str:
        value = data.get(key, default)
        if value is None or isinstance(value, (dict, list)) or str(value).strip() == "":
            raise self.fail(f"{where}.{key}", "a non-empty text", value)
        return str(value).strip()

    def number(self, value: Any, where: str, *, low: float | None = None, high: float | None = None) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(where, "a number", value)
        if (low is not None and value < low) or (high is not None and value > high):
            raise self.fail(where, f"a number from {low:g} to {high:g}" if high is not None else f"a number of at least {low:g}", value)
        return float(value)

    def condition(self, value: Any, where: str) -> Condition:
        if isinstance(value, bool):
            return Condition(equals=value)
        data = self.mapping(value, where, CONDITION_KEYS)
        if not ({"min", "max"} & set(data)):
            raise self.fail(where, "min and/or max (or true/false for a yes/no measure)", value)
        return Condition(*(self.number(data[k], f"{where}.{k}") if k in data else None for k in ("min", "max")))

    def rule(self, data: Any, where: str) -> tuple[tuple[Condition, float], ...]:
        data = self.mapping(data, where, RULE_KEYS)
        if set(data) == {"pass"}:
            return ((self.condition(data["pass"], f"{where}.pass"), 1.0),)
        if set(data) == {"bands"} and isinstance(data["bands"], list) and data["bands"]:
            return tuple((self.condition(band, f"{where}.bands[{i}]"),
                          self.number(self.mapping(band, f"{where}.bands[{i}]").get("points"), f"{where}.bands[{i}].points", low=0, high=1))
                         for i, band in enumerate(data["bands"]))
        raise self.fail(where, "either `pass: {min/max: …}` or `bands: [{min/max: …, points: 0-1}, …]`", data)


def _parse(data: Any, path: Path) -> Scorecard:
    read = _Reader(path)
    data = read.mapping(data, "the file", SCORECARD_KEYS)
    bands = read.mapping(data.get("bands", DEFAULT_BANDS), "bands")
    band_list = tuple(sorted(((str(name), read.number(low, f"bands.{name}")) for name, low in bands.items()), key=lambda b: -b[1]))
    sections = data.get("sections")
    if not isinstance(sections, list) or not sections:
        raise read.fail("sections", "a list of sections, each with an id, a label and criteria", sections)
    criteria, seen = [], set()
    for i, section in enumerate(sections):
        where = f"sections[{i}]"
        section = read.mapping(section, where, SECTION_KEYS)
        section_id = read.text(section, "id", where)
        items = section.get("criteria")
        if not isinstance(items, list) or not items:
            raise read.fail(f"{where}.criteria", "a list of criteria", items)
        for j, item in enumerate(items):
            at = f"{where}.criteria[{j}]"
            item = read.mapping(item, at, CRITERION_KEYS)
            criterion_id = read.text(item, "id", at)
            if criterion_id in seen:
                raise read.fail(f"{at}.id", "an id used once in the scorecard", criterion_id)
            seen.add(criterion_id)
            measure = read.text(item, "measure", at)
            if measure not in MEASURES:
                raise read.fail(f"{at}.measure", f"one of {', '.join(sorted(MEASURES))}", measure)
            critical = item.get("critical", False)
            if not isinstance(critical, bool):
                raise read.fail(f"{at}.critical", "true or false", critical)
            criteria.append(Criterion(
                id=criterion_id, section=section_id, label=read.text(item, "label", at),
                description=read.text(item, "description", at, default=item.get("label")), measure=measure,
                weight=read.number(item.get("weight"), f"{at}.weight", low=0), bands=read.rule(item.get("rule"), f"{at}.rule"),
                critical=critical,
            ))
    return Scorecard(read.text(data, "id", "the file"), read.text(data, "version", "the file"), str(path), band_list, tuple(criteria))
