import pytest

from pipeline.errors import ConfigError
from pipeline.reports.measures import MEASURES
from pipeline.reports.scorecard import load_scorecard

from .conftest import ROOT


@pytest.mark.parametrize("name", ["default", "strict"])
def test_shipped_scorecards_load(name):
    card = load_scorecard(ROOT / "scorecards" / f"{name}.yaml")
    assert card.id == name and card.criteria
    assert all(c.measure in MEASURES and c.description for c in card.criteria)


@pytest.mark.parametrize("text, key, expected", [
    ("id: x\nversion: 1\nsections: []\n", "sections", "a list of sections"),
    ("id: x\nversion: 1\nsections:\n - id: s\n   criteria:\n    - {id: a, label: A, measure: happiness, weight: 1, rule: {pass: true}}\n",
     "sections[0].criteria[0].measure", "one of"),
    ("id: x\nversion: 1\nsections:\n - id: s\n   criteria:\n    - {id: a, label: A, measure: recap, weight: heavy, rule: {pass: true}}\n",
     "sections[0].criteria[0].weight", "a number"),
    ("id: x\nversion: 1\nsections:\n - id: s\n   criteria:\n    - {id: a, label: A, measure: recap, weight: 1, rule: {pass: {above: 3}}}\n",
     "sections[0].criteria[0].rule.pass", "unknown key 'above'"),
    ("id: x\nversion: 1\nsections:\n - id: s\n   criteria:\n    - {id: a, label: A, measure: recap, weight: 1, rule: {pass: {}}}\n",
     "sections[0].criteria[0].rule.pass", "min and/or max"),
    ("id: x\nversion: 1\nsections:\n - id: s\n   criteria:\n    - {id: a, label: A, measure: recap, weight: 1, rule: {bands: [{min: 1, points: 2}]}}\n",
     "sections[0].criteria[0].rule.bands[0].points", "from 0 to 1"),
    ("id: x\nsections: [1]\n", "sections[0]", "a mapping of keys"),
])
def test_a_malformed_scorecard_names_the_file_the_key_and_what_was_expected(tmp_path, text, key, expected):
    path = tmp_path / "card.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as refused:
        load_scorecard(path)
    assert str(path) in refused.value.message and key in refused.value.message and expected in refused.value.message


CRITERION = "{id: a, label: A, measure: blame, weight: 1, rule: {pass: {max: 0}}, critical: true}"


@pytest.mark.parametrize("text, where, key, suggested", [
    (f"id: x\nversion: 1\nsections:\n - id: s\n   criteria:\n    - {CRITERION.replace('critical', 'critcal')}\n",
     "sections[0].criteria[0]", "critcal", "critical"),
    (f"id: x\nversion: 1\nband: {{good: 50}}\nsections:\n - id: s\n   criteria:\n    - {CRITERION}\n", "the file", "band", "bands"),
    (f"id: x\nversion: 1\nsections:\n - id: s\n   lable: S\n   criteria:\n    - {CRITERION}\n", "sections[0]", "lable", "label"),
    (f"id: x\nversion: 1\nsections:\n - id: s\n   criteria:\n    - {CRITERION.replace('pass:', 'passes:')}\n",
     "sections[0].criteria[0].rule", "passes", "pass"),
    (f"id: x\nversion: 1\nsections:\n - id: s\n   criteria:\n    - {CRITERION.replace('max: 0', 'max: 0, maxi: 1')}\n",
     "sections[0].criteria[0].rule.pass", "maxi", "max"),
])
def test_an_unknown_key_at_any_level_is_refused_with_the_close_match(tmp_path, text, where, key, suggested):
    """A misspelt optional key used to fall back to its default: `critcal: true` left the call un-failed."""
    path = tmp_path / "card.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as refused:
        load_scorecard(path)
    assert str(path) in refused.value.message and where in refused.value.message and repr(key) in refused.value.message
    assert f"did you mean `{suggested}`" in refused.value.hint and "the keys allowed there are" in refused.value.hint
    path.write_text(text.replace(key, suggested))
    assert load_scorecard(path).criteria[0].critical


def test_broken_yaml_and_a_missing_file_are_clear(tmp_path):
    (tmp_path / "bad.yaml").write_text("id: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_scorecard(tmp_path / "bad.yaml")
    with pytest.raises(ConfigError, match="cannot read scorecard"):
        load_scorecard(tmp_path / "missing.yaml")
