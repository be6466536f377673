from pipeline.speech.turns import build_turns

from .conftest import TWO_CHANNELS, words


def test_turns_alternate_and_are_numbered_in_time_order():
    ws = words("ch0", ("Hello", 0.0, 0.4), ("there", 0.5, 0.9)) + words("ch1", ("Hi", 1.5, 1.8)) + words("ch0", ("Okay", 2.5, 2.9))
    turns = build_turns(ws, TWO_CHANNELS)
    assert [(t.id, t.speaker, t.text) for t in turns] == [(0, "agent", "Hello there"), (1, "customer", "Hi"), (2, "agent", "Okay")]
    assert (turns[0].start, turns[0].end) == (0.0, 0.9)


def test_long_pause_splits_a_speakers_turn():
    ws = words("ch0", ("one", 0.0, 0.3), ("two", 0.4, 0.7), ("three", 3.0, 3.3))
    assert [t.text for t in build_turns(ws, TWO_CHANNELS, {"max_pause_s": 1.5})] == ["one two", "three"]
    assert [t.text for t in build_turns(ws, TWO_CHANNELS, {"max_pause_s": 3.0})] == ["one two three"]


def test_backchannel_over_speech_does_not_split_the_speakers_turn():
    customer = words("ch1", ("my", 0.0, 0.3), ("bill", 0.4, 0.8), ("doubled", 0.9, 1.4), ("again", 1.5, 1.9))
    agent = words("ch0", ("mm-hmm", 0.95, 1.2))
    turns = build_turns(customer + agent, TWO_CHANNELS)
    assert [t.text for t in turns] == ["my bill doubled again", "mm-hmm"]


def test_someone_still_talking_through_a_pause_does_not_split_it():
    # the agent is mid-sentence when the customer cuts in with "Yes," pauses, and goes on
    agent = words("ch0", ("you", 0.0, 0.3), ("have", 0.35, 0.6), ("probably", 0.65, 1.2), ("already", 1.25, 1.7))
    customer = words("ch1", ("Yes,", 0.8, 1.0), ("of", 1.3, 1.4), ("course", 1.45, 1.8))
    turns = build_turns(agent + customer, TWO_CHANNELS)
    assert [(t.speaker, t.text) for t in turns] == [("agent", "you have probably already"), ("customer", "Yes, of course")]


def test_reply_inside_a_pause_takes_the_floor():
    customer = words("ch1", ("is", 0.0, 0.2), ("that", 0.3, 0.5), ("right", 1.6, 1.9))
    agent = words("ch0", ("yes", 0.9, 1.2))
    assert [t.text for t in build_turns(customer + agent, TWO_CHANNELS)] == ["is that", "yes", "right"]
