import re

import pytest

from pipeline.behaviours.cues import find_cues

from .conftest import turns_of

PHRASES_ONLY = {"sentence_model": False}


def kinds(events):
    return sorted((e.turn, e.kind) for e in events)


def test_outright_implied_situational_urgent_and_good_news():
    turns = turns_of(
        ("agent", "How can I help?"),
        ("customer", "I'm so frustrated, this is the third time I've called."),
        ("agent", "Okay."),
        ("customer", "I got locked out of my account and I'm flying to Denver tomorrow."),
        ("agent", "Right."),
        ("customer", "Also we just had a baby last week!"),
        ("customer", "My account number is 4 4 7 2."),
    )
    found = kinds(find_cues(turns, options=PHRASES_ONLY))
    assert (1, "frustration") in found
    assert (3, "situational") in found and (3, "urgency") in found
    assert (5, "joy") in found
    assert not [k for k in found if k[0] in (0, 2, 4, 6)]  # agents and plain facts carry no cue


def test_cue_polarity_and_one_event_per_kind_per_turn():
    turns = turns_of(("customer", "I was charged twice and then double charged again, I'm annoyed and fed up."))
    events = find_cues(turns, options=PHRASES_ONLY)
    assert kinds(events) == [(0, "frustration"), (0, "situational")]
    assert {e.polarity for e in events} == {"negative"}


def test_a_raised_voice_is_a_cue_or_strengthens_one():
    turns = turns_of(("customer", "Where is the engineer you sent"), ("customer", "I am annoyed about the wait"), ("customer", "fine"))
    quiet = find_cues(turns, arousal={0: 40.0, 1: 40.0}, options=PHRASES_ONLY)
    loud = find_cues(turns, arousal={0: 95.0, 1: 95.0, 2: 95.0}, options=PHRASES_ONLY)
    assert kinds(quiet) == [(1, "frustration")]
    assert kinds(loud) == [(1, "frustration")]  # by default, loudness alone is no cue
    assert max(e.confidence for e in loud if e.turn == 1) > max(e.confidence for e in quiet)
    heard = find_cues(turns, arousal={0: 95.0, 1: 95.0, 2: 95.0}, options={**PHRASES_ONLY, "voice_only": True})
    voice_only = [e for e in heard if e.source == "voice"]
    assert [e.turn for e in voice_only] == [0]  # turn 2 is too short to judge by its loudness


def test_sentence_model_hears_what_phrase_lists_miss(models):
    turns = turns_of(("customer", "Honestly I'm at the end of my rope with you people."), ("customer", "The blue one please."))
    assert kinds(find_cues(turns, options=PHRASES_ONLY)) == []
    found = find_cues(turns, classifier=models.classifier("customer_sentences"))
    assert [e.turn for e in found] == [0] and found[0].polarity == "negative"


def test_the_judge_drops_a_plain_statement_and_its_probability_is_the_confidence(models):
    """The classifier alone takes "Regular Chromecast is fine" for frustration; weighed with the turn's
    other signals it is not a cue. A cue the judge keeps carries its probability as confidence."""
    classifier, judge = models.classifier("customer_sentences"), models.judge("cue")
    turns = turns_of(("customer", "Regular Chromecast is fine."),
                     ("customer", "This is the third time I've called and nobody has fixed it."))
    assert 0 in {e.turn for e in find_cues(turns, classifier=classifier)}
    judged = find_cues(turns, classifier=classifier, judge=judge)
    assert {e.turn for e in judged} == {1}
    assert all(judge.threshold <= e.confidence <= 0.99 for e in judged)
    assert find_cues(turns, classifier=classifier, judge=judge, options={"min_confidence": 0.999}) == []


def test_a_turn_without_a_phrase_is_a_cue_when_the_judge_reads_one_in_its_meaning(models):
    """A judge whose only weight is on the turn's meaning, aimed at one understated turn: that turn is
    kept though no phrase or sure sentence found anything in it, and shown as the likeliest kind of its
    sentence; the plain turn beside it is not."""
    from pipeline.behaviours.cues import candidate_cues, cue_signals
    from pipeline.behaviours.judge import Judge
    from pipeline.config import CueOptions

    classifier = models.classifier("customer_sentences")
    understated, plain = "So that is the fourth letter this month.", "The blue one please."
    assert candidate_cues(understated, CueOptions(), classifier) == []
    names = [f for f in cue_signals(plain, [], classifier) if f != "turn_meaning"]
    aimed = Judge("cue", tuple(names), (0.0,) * len(names), (0.0,) * len(names), (1.0,) * len(names), intercept=-10.0,
                  threshold=0.5, meaning={"turn_meaning": tuple(20.0 * models.encoder.encode([understated])[0])})
    [cue] = find_cues(turns_of(("customer", plain), ("customer", understated)), classifier=classifier, judge=aimed)
    assert cue.turn == 1 and cue.text == understated and cue.confidence >= 0.5
    assert cue.kind == classifier.best([understated], threshold=0.0)[0][0]


def test_only_clear_classifier_kinds_are_shown_and_at_least_the_likeliest():
    from pipeline.behaviours.cues import CueKind, reported_kinds
    from pipeline.config import CueOptions

    phrase = (CueKind("situational", "negative", 0.85, (re.compile("x"),)), "oil light is still on")
    clear = (CueKind("disappointment", "negative", 0.85, (), 0.48), "it just needed an oil change")
    unclear = (CueKind("anger", "negative", 0.85, (), 0.23), "I literally just left your shop")
    vaguer = (CueKind("joy", "positive", 0.85, (), 0.2), "I got a car")
    options = CueOptions(min_kind_probability=0.4)
    assert reported_kinds([phrase, clear, unclear], options) == [phrase, clear]
    assert reported_kinds([vaguer, unclear], options) == [unclear]  # a kept turn still shows its likeliest kind
    assert reported_kinds([], options) == []
    assert reported_kinds([phrase, clear, unclear], CueOptions(min_kind_probability=0.0)) == [phrase, clear, unclear]


def test_the_judge_weighs_length_only_as_far_as_the_calls_it_was_fitted_on(models):
    from pipeline.behaviours.cues import MAX_JUDGED_WORDS, candidate_cues, cue_signals
    from pipeline.config import CueOptions

    classifier = models.classifier("customer_sentences")
    story = "I am so frustrated with this. " + "Then I drove to the shop and waited in the car park. " * MAX_JUDGED_WORDS
    found = candidate_cues(story, CueOptions(), classifier)
    clipped = " ".join(story.split()[:MAX_JUDGED_WORDS])
    assert len(story.split()) > 3 * MAX_JUDGED_WORDS and found
    assert cue_signals(story, found, classifier)["log_words"] == cue_signals(clipped, found, classifier)["log_words"]
    assert cue_signals("I am so frustrated.", found, classifier)["log_words"] < cue_signals(clipped, found, classifier)["log_words"]


@pytest.mark.parametrize("said, expected", [
    pytest.param(["We just bought our first house last week!", "I bought a car not too long ago, and a light is coming on."],
                 [(0, "joy")], id="a new home is good news, a car bought is background"),
    pytest.param(["I'm going to come in as soon as possible.", "I need this fixed as soon as possible.",
                  "Can you send someone right away?"],
                 [(1, "urgency"), (2, "urgency")], id="soon is urgent as a need, not as the customer's own plan"),
    pytest.param(["Oh wow. That's such a relief, honestly.", "Thank goodness, I can see the dashboard.", "Okay. That's helpful. Thanks.",
                  "You've been really helpful.", "Is there debt relief available?"],
                 [(0, "gratitude"), (1, "gratitude"), (3, "gratitude")], id="relief is good news, a plain thanks for the help is not"),
    pytest.param(["My laptop keeps crashing and the app won't load.", "I've been having trouble with my router since Monday.",
                  "No problem, that works for me."],
                 [(0, "situational"), (1, "situational")], id="a thing that will not work is a situation, no problem is not"),
    pytest.param(["Payroll has to go out Friday morning, so I'm really up against the clock.",
                  "My car payment comes out on the twenty fifth, so I'd like it back before then.", "I sent it back on Friday."],
                 [(0, "urgency"), (1, "urgency")], id="a deadline of the customer's is urgent"),
    pytest.param(["What does an escrow shortage mean?", "Wait, what do you mean?", "What time does the store open?"],
                 [(0, "confusion"), (1, "confusion")], id="asking what a term means is confusion"),
])
def test_phrase_lists_tell_the_cue_from_the_plain_sentence_beside_it(said, expected):
    turns = turns_of(*(("customer", text) for text in said))
    assert kinds(find_cues(turns, options=PHRASES_ONLY)) == expected
