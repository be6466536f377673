import pytest

from pipeline.behaviours.acknowledge import find_acknowledgements
from pipeline.behaviours.conduct import find_apologies
from pipeline.behaviours.cues import find_cues

from .conftest import turns_of


@pytest.fixture(scope="module")
def sentence_models(models):
    return models.classifier("customer_sentences"), models.classifier("agent_sentences")


def acknowledgements(sentence_models, *lines, **options):
    """Cues and acknowledgements with the sentence classifiers (unless options say sentence_model=False)."""
    turns = turns_of(*lines)
    customer, agent = sentence_models
    cues = find_cues(turns, options={"sentence_model": options.get("sentence_model", True)}, classifier=customer)
    return cues, find_acknowledgements(turns, cues, find_apologies(turns), options, classifier=agent), turns


def test_latency_turns_between_and_specificity(sentence_models):
    cues, acks, turns = acknowledgements(
        sentence_models,
        ("customer", "I was charged twice for my electricity bill."),
        ("agent", "Can I have your account number?"),
        ("customer", "It's 4 4 7."),
        ("agent", "I'm so sorry, being charged twice for your bill is really frustrating."),
    )
    assert len(cues) == 1 and [a.turn for a in acks] == [3]
    assert acks[0].turns_after_cue == 3
    assert abs(acks[0].latency_s - (turns[3].start - turns[0].end)) < 1e-6
    assert acks[0].specific and "charg" in acks[0].shared_words


def test_non_apology_and_filler_do_not_acknowledge(sentence_models):
    _, acks, _ = acknowledgements(
        sentence_models,
        ("customer", "My internet has been down since yesterday."),
        ("agent", "I'm sorry you feel that way."),
        ("agent", "We apologize for any inconvenience this may have caused."),
    )
    assert acks == []


def test_cue_outside_the_window_is_missed(sentence_models):
    lines = [("customer", "I'm really worried about my card.")] + [("agent", "Please hold."), ("customer", "Okay.")] * 3
    lines.append(("agent", "I understand how worrying that is."))
    _, acks, _ = acknowledgements(sentence_models, *lines, window_agent_turns=3)
    assert acks == []
    _, acks, _ = acknowledgements(sentence_models, *lines, window_agent_turns=4)
    assert [a.turn for a in acks] == [7]


def test_good_news_needs_a_congratulation_not_a_sympathy(sentence_models):
    _, acks, _ = acknowledgements(
        sentence_models,
        ("customer", "We just had a baby girl last week."),
        ("agent", "I understand. What can I order for you?"),
        ("agent", "Oh, congratulations, that's wonderful!"),
        sentence_model=False,
    )
    assert [a.turn for a in acks] == [2]
