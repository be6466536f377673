import pytest

from pipeline.speech.conversation import measure_conversation
from pipeline.models import Turn

from .conftest import words


def turn(id, speaker, start, end, n_words=4):
    step = (end - start) / n_words
    ws = words(speaker, *[(f"w{i}", start + i * step, start + (i + 1) * step) for i in range(n_words)])
    return Turn(id, speaker, start, end, tuple(ws))


def test_talk_time_share_and_rate_per_party():
    turns = [turn(0, "agent", 0.0, 6.0, 12), turn(1, "customer", 7.0, 10.0, 9)]
    stats, _ = measure_conversation(turns, duration=10.0)
    assert stats.talk_time == {"agent": 6.0, "customer": 3.0}
    assert stats.talk_share["agent"] == pytest.approx(2 / 3, abs=0.001)
    assert stats.words_per_minute == {"agent": 120.0, "customer": 180.0}


def test_silences_longer_than_threshold_are_non_talk_time():
    turns = [turn(0, "agent", 1.0, 3.0), turn(1, "customer", 3.5, 5.0), turn(2, "agent", 9.0, 10.0)]
    stats, _ = measure_conversation(turns, duration=14.0, options={"min_silence_s": 2.0})
    assert [(s.start, s.end) for s in stats.silences] == [(5.0, 9.0), (10.0, 14.0)]
    assert stats.non_talk_time == 8.0


def test_interruption_names_who_cut_in_and_ignores_backchannels():
    turns = [
        turn(0, "agent", 0.0, 5.0),
        turn(1, "customer", 4.0, 8.0),  # starts 1 s before the agent stops: cuts in
        turn(2, "agent", 6.0, 6.3, n_words=1),  # "mm-hmm" over the customer: not an interruption
        turn(3, "agent", 8.1, 9.0),  # after the customer: not an interruption
    ]
    stats, events = measure_conversation(turns, duration=10.0)
    assert [(e.turn, e.by, e.interrupted) for e in events] == [(1, "customer", "agent")]
    assert events[0].overlap_s == pytest.approx(1.0)
    assert stats.interruptions == {"agent": 0, "customer": 1}
