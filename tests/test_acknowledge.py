import pytest

from pipeline.behaviours.acknowledge import find_acknowledgements
from pipeline.behaviours.conduct import find_apologies
from pipeline.behaviours.cues import find_cues

from .conftest import turns_of


@pytest.fixture(scope="module")
def sentence_models(models):
    return models.classifier("customer_sentences"), models.classifier("agent_sentences"), models


def acknowledgements(sentence_models, *lines, **options):
    """Cues and acknowledgements as run.py finds them: with the sentence classifiers and the judges
    (unless options say sentence_model=False or judge=False)."""
    turns = turns_of(*lines)
    customer, agent, models = sentence_models
    judged = options.get("judge", True) and options.get("sentence_model", True)
    cues = find_cues(turns, options={"sentence_model": options.get("sentence_model", True)}, classifier=customer,
                     judge=models.judge("cue") if judged else None)
    acks = find_acknowledgements(turns, cues, find_apologies(turns), options, classifier=agent,
                                 judge=models.judge("acknowledgement") if judged else None)
    return cues, acks, turns


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


def test_the_pair_judge_gives_a_confidence_and_says_how(sentence_models):
    """An empathic reply to a worried customer is an acknowledgement the judge is sure of, put down to
    the signal that weighed most; a reply that repeats the customer's facts is not one."""
    worried = ("customer", "I'm really worried, my appointment is at 8 a.m. and the car still isn't fixed.")
    judge = sentence_models[2].judge("acknowledgement")
    _, acks, _ = acknowledgements(sentence_models, worried, ("agent", "I can see how worrying that must be."))
    assert acks and all(a.confidence >= judge.threshold and a.how in {"phrase", "apology", "reflection", "sentence_model", "paraphrase"}
                        for a in acks)
    _, acks, _ = acknowledgements(sentence_models, worried, ("agent", "So you have an 8 a.m. appointment on Tuesday."))
    assert acks == []


def test_without_the_judge_any_one_rule_is_enough(sentence_models):
    """The rules path (judge off) still decides alone and gives no confidence."""
    cues, acks, _ = acknowledgements(
        sentence_models,
        ("customer", "I was charged twice for my electricity bill."),
        ("agent", "You were charged twice on that bill."),
        judge=False,
    )
    assert cues and [a.how for a in acks] == ["reflection"] * len(cues) and all(a.confidence is None for a in acks)


def test_saying_others_feel_the_same_acknowledges_without_naming_the_feeling(sentence_models):
    from pipeline.behaviours.acknowledge import _phrases
    from pipeline.behaviours.lexicon import matches
    from pipeline.behaviours.text import normalize

    said = ["A double charge is definitely not what you want to see.", "Those fees trip up a lot of people.",
            "A lot of new parents ask that.", "You're not the only one, honestly."]
    plain = ["A lot of customers find the monthly plan cheaper.", "What you want is the blue form."]
    assert [matches(_phrases()["negative"], normalize(s)) for s in said + plain] == [True] * 4 + [False] * 2
    cues, acks, _ = acknowledgements(
        sentence_models,
        ("customer", "I honestly have no idea what this line access charge is, it makes no sense to me."),
        ("agent", "Totally fair. Those fees trip up a lot of people. Let me break it down for you."),
    )
    assert cues and [a.turn for a in acks] == [1]
