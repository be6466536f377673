"""The hot words of a call: its people's names, then its queue's terms, then the site's."""
import pytest

from pipeline.errors import ConfigError
from pipeline.models import CallSpec
from pipeline.speech.vocabulary import MAX_HOT_WORDS, Vocabulary, hot_words, load_vocabulary


def test_names_come_first_then_the_queue_then_the_site_each_once(tmp_path):
    path = tmp_path / "vocabulary.yaml"
    path.write_text("terms: [Fibrelink, Autopay]\nqueues:\n  billing: [autopay, Smart Meter]\n  moves: [Movewise]\n")
    vocabulary = load_vocabulary(path)
    spec = CallSpec("c1", "c1.wav", agent_name="Dana  Whitfield", customer_name="Ingrid Lindgren", queue="billing")
    assert hot_words(spec, vocabulary) == "Ingrid Lindgren, Dana Whitfield, autopay, Smart Meter, Fibrelink."
    assert hot_words(CallSpec("c2", "c2.wav"), Vocabulary()) == ""


def test_a_long_vocabulary_never_pushes_out_the_names():
    vocabulary = Vocabulary(terms=tuple(f"Term{i}" for i in range(500)))
    words = hot_words(CallSpec("c1", "c1.wav", customer_name="Ingrid Lindgren"), vocabulary)
    assert words.startswith("Ingrid Lindgren, Term0") and len(words.split()) <= MAX_HOT_WORDS + 1


@pytest.mark.parametrize("text, expected", [
    ("term: [Fibrelink]\n", "unknown key(s) term"),
    ("terms: Fibrelink\n", "terms: expected a list"),
    ("queues: [billing]\n", "queues: expected a mapping"),
    ("queues:\n  billing: [ok, '']\n", "queues.billing: expected a list of non-empty terms"),
    ("terms: [unclosed\n", "not valid YAML"),
])
def test_a_malformed_vocabulary_says_what_is_wrong(tmp_path, text, expected):
    path = tmp_path / "v.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=expected.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        load_vocabulary(path)


def test_a_missing_vocabulary_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read vocabulary"):
        load_vocabulary(tmp_path / "none.yaml")
