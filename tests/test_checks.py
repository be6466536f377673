from pipeline.behaviours.checks import find_closing, find_name_uses, find_recaps, learn_customer_name

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
