from pipeline.behaviours.checks import find_closing, find_name_uses, find_recaps, learn_customer_name
from pipeline.behaviours.judge import load_judge
from pipeline.models import ClosingAction, Recap

from .conftest import turns_of


def test_customer_name_from_the_call_when_the_manifest_has_none():
    turns = turns_of(("agent", "Thanks for calling, this is Dana. Who am I speaking with?"), ("customer", "Hi Dana, this is Tim Baker."))
    assert learn_customer_name(turns, "", "Dana Whitfield") == "Tim Baker"
    assert learn_customer_name(turns, "Timothy Baker") == "Timothy Baker"
    bare = turns_of(("agent", "Can I have your name?"), ("customer", "Luis Romero."))
    assert learn_customer_name(bare) == "Luis Romero"


def test_name_uses_are_fuzzy_but_not_loose():
    turns = turns_of(
        ("agent", "Thank you for calling, how can I help?"),
        ("agent", "Congratulations, Louis!"),
        ("agent", "Alright Mr Romero, all done."),
    )
    events, summary = find_name_uses(turns, "Luis Romero")
    assert [e.turn for e in events] == [1, 2]  # "Thank" is not "Ethan", "Louis" is "Luis"
    assert summary.uses == 2 and summary.near_end
    events, _ = find_name_uses(turns, "Ethan Price")
    assert events == []
    plain = turns_of(("agent", "It is time we sorted this out, and thanks for your patience."), ("agent", "Thanks, Tim."))
    assert [e.turn for e in find_name_uses(plain, "Tim Baker")[0]] == [1]  # "time" is not "Tim"


def test_name_overuse_is_flagged():
    turns = turns_of(*[("agent", "Sure Tim, okay Tim.")] * 4)
    assert find_name_uses(turns, "Tim Baker")[1].overuse


def test_recap_needs_a_marker_and_the_customers_own_words(models):
    customer = ("customer", "I was billed twice this month and the second payment left on Monday.")
    right = turns_of(customer, ("agent", "So if I understand correctly, you were billed twice and the second payment went out Monday?"))
    marker_only = turns_of(customer, ("agent", "So if I understand correctly, you want a new phone plan?"))
    no_marker = turns_of(customer, ("agent", "The second payment on Monday was billed twice."))
    assert [e.turn for e in find_recaps(right, encoder=models.encoder)] == [1]
    assert find_recaps(marker_only, encoder=models.encoder) == []
    assert find_recaps(no_marker, encoder=models.encoder) == []


def test_closing_action_needs_owner_action_and_time_frame():
    opening = ("agent", "I have filed a lot of refunds within a week in my time, how can I help?")
    turns = turns_of(
        opening, ("customer", "I was charged twice for the same order last month."), ("agent", "Let me check that for you."),
        ("agent", "I've filed the refund, you'll see it within 3 to 5 business days."),
        ("agent", "Someone will look into it."),
        ("agent", "Is there anything else I can help with?"),
    )
    types = [(e.turn, e.type) for e in find_closing(turns)]
    assert (3, "closing_action") in types
    assert (4, "vague_closing") in types and (4, "closing_action") not in types
    assert (5, "further_help") in types
    assert not [t for t in types if t[0] == 0]  # the same words at the start of a call are no closing


def test_the_recap_judge_picks_the_restatement_of_what_the_customer_said(models):
    turns = turns_of(
        ("agent", "Thanks for calling, how can I help?"),
        ("customer", "I was billed twice this month, and the second payment left my account on Monday."),
        ("agent", "Just to confirm, can I take your account number?"),  # a marker, and nothing of theirs
        ("customer", "It is 4471."),
        ("agent", "So if I understand correctly, you were billed twice this month and the second payment went out Monday. Is that right?"),
        ("customer", "Yes."),
        ("agent", "I have refunded the second payment, you will see it within three days."),
    )
    [recap] = find_recaps(turns, encoder=models.encoder, judge=load_judge("recap"))
    assert isinstance(recap, Recap) and recap.turn == 4 and 0 < recap.confidence <= 1
    assert {"twice", "payment", "second"} <= set(recap.shared_words)
    assert find_recaps(turns[:4], encoder=models.encoder, judge=load_judge("recap")) == []


def test_a_read_back_of_one_detail_is_no_recap(models):
    from pipeline.behaviours.checks import recap_signals
    from pipeline.config import CheckOptions

    turns = turns_of(("customer", "My car's warning light came on, it's a Ford Fusion."), ("agent", "What year is it?"),
                     ("customer", "It's 2017."), ("agent", "2017 Ford Fusion. Okay."))
    assert recap_signals(turns, models.encoder, CheckOptions()) == {}
    assert 3 in recap_signals(turns, models.encoder, CheckOptions(recap_min_words=1))  # it does restate their words


def test_the_closing_judge_takes_the_wrap_up_not_advice_or_a_vague_promise():
    start = (
        ("customer", "My router keeps dropping the connection and I work from home."),
        ("agent", "I understand, that is disruptive. Let me look."),
        ("customer", "Thanks."),
        ("agent", "Next time you can just restart it from the app."),
        ("customer", "Okay."),
    )
    turns = turns_of(
        *start,
        ("agent", "So here is what happens next: I have booked an engineer for tomorrow between eight and ten, "
                  "and I will text you a confirmation within the hour."),
        ("customer", "Great."),
        ("agent", "Is there anything else I can help with?"),
    )
    events = find_closing(turns, judge=load_judge("closing"))
    [closing] = [e for e in events if isinstance(e, ClosingAction)]
    assert closing.turn == 5 and closing.confidence >= load_judge("closing").threshold
    assert (7, "further_help") in [(e.turn, e.type) for e in events]
    vague = turns_of(*start, ("agent", "Someone will look into it at some point."), ("customer", "Fine."))
    vague_events = find_closing(vague, judge=load_judge("closing"))
    assert [e.type for e in vague_events if e.turn >= 3] == ["vague_closing"]
