from pipeline.behaviours.conduct import find_apologies, find_conduct

from .conftest import turns_of


def test_a_courtesy_sorry_is_no_apology():
    turns = turns_of(
        ("agent", "Sorry, one moment while I pull that up."),
        ("agent", "Sorry, could you repeat that last part?"),
        ("agent", "Sorry to interrupt, but is the account in your name?"),
        ("agent", "I'm so sorry this happened, that should never have gone out. Sorry, bear with me."),
        ("agent", "Sorry, I didn't catch that."),
    )
    assert [(e.turn, e.kind) for e in find_apologies(turns)] == [(3, "genuine")]


def test_genuine_apology_against_non_apology_and_filler():
    turns = turns_of(
        ("agent", "I'm so sorry we charged you twice, that was our mistake."),
        ("agent", "I'm sorry you feel that way."),
        ("agent", "Sorry if you were inconvenienced."),
        ("agent", "We apologize for any inconvenience this may have caused."),
        ("customer", "Sorry, can you repeat that?"),
    )
    found = [(e.turn, e.kind, e.genuine) for e in find_apologies(turns)]
    assert found == [(0, "genuine", True), (1, "non_apology", False), (2, "non_apology", False), (3, "scripted", False)]
    assert find_apologies(turns)[0].owns_problem


def test_a_deflecting_apology_or_a_formal_regret_is_not_genuine():
    turns = turns_of(
        ("agent", "I apologize, but that is our policy."),
        ("agent", "We regret any inconvenience."),
        ("agent", "We regret to inform you that the claim was denied."),
        ("agent", "I regret that we let this drag on, that's on us."),
        ("agent", "I'm sorry if the crew didn't meet your expectations."),
    )
    found = [(e.turn, e.kind) for e in find_apologies(turns)]
    assert found == [(0, "non_apology"), (1, "scripted"), (2, "scripted"), (3, "genuine"), (4, "non_apology")]


def test_conduct_events():
    turns = turns_of(
        ("agent", "You should have checked the app."),
        ("agent", "You've probably already tried restarting it."),
        ("agent", "No, we can't do that, it's against policy."),
        ("agent", "But what I can do is send a technician."),
        ("agent", "We'll sort this out together."),
        ("agent", "You're absolutely right."),
    )
    assert [(e.turn, e.type) for e in find_conduct(turns)] == [
        (0, "blame"), (1, "assumption"), (2, "refusal"), (3, "alternative"), (4, "same_side"), (5, "agreement")]
