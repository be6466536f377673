import pytest

from pipeline.errors import ConfigError
from pipeline.models import CallSpec, SpeakerTrack
from pipeline.speech.roles import assign_roles

from .conftest import words


def track(label, text, start=0.0):
    return SpeakerTrack(label, tuple(words(label, *[(w, start + i * 0.3, start + i * 0.3 + 0.25) for i, w in enumerate(text.split())])))


CALLER = track("ch0", "Hi, I'm calling about my bill. I was charged twice.", start=0.0)
AGENT = track("ch1", "Thank you for calling Northwind, this is Dana. How can I help you today?", start=5.0)


def test_agent_is_told_by_what_they_say_even_when_the_customer_speaks_first():
    roles = assign_roles([CALLER, AGENT], CallSpec("c", "c.wav"))
    assert roles.mapping == {"ch1": "agent", "ch0": "customer"}
    assert roles.confidence > 0.9 and roles.method == "channel"


def test_agent_name_from_manifest_matches_despite_asr_spelling():
    a = track("spk0", "Hello, this is Maricos.", start=0.0)
    b = track("spk1", "Hello, this is Priya.", start=3.0)
    roles = assign_roles([b, a], CallSpec("c", "c.wav", agent_name="Marcus Lee", customer_name="Priya Shah"), method="diarization")
    assert roles.role("spk0") == "agent" and roles.role("spk1") == "customer"


def test_no_evidence_falls_back_to_who_spoke_first_with_low_confidence():
    a, b = track("spk0", "Okay.", 0.0), track("spk1", "Right.", 2.0)
    roles = assign_roles([b, a], CallSpec("c", "c.wav"), method="diarization")
    assert roles.role("spk0") == "agent" and roles.confidence < 0.7


def test_manifest_hints_override():
    assert assign_roles([CALLER, AGENT], CallSpec("c", "c.wav", agent_channel=0)).mapping == {"ch0": "agent", "ch1": "customer"}
    assert assign_roles([CALLER, AGENT], CallSpec("c", "c.wav", agent_speaker="ch0")).role("ch0") == "agent"
    with pytest.raises(ConfigError, match="agent_channel 3 does not exist"):
        assign_roles([CALLER, AGENT], CallSpec("c", "c.wav", agent_channel=3))


def test_third_speaker_is_other_and_the_bigger_rest_is_customer():
    supervisor = track("spk2", "Hi.", 20.0)
    roles = assign_roles([CALLER, AGENT, supervisor], CallSpec("c", "c.wav"))
    assert roles.mapping == {"ch1": "agent", "ch0": "customer", "spk2": "other"}


def test_single_voice_that_sounds_like_an_agent_is_the_agent():
    roles = assign_roles([AGENT], CallSpec("c", "c.wav"), method="diarization")
    assert roles.mapping == {"ch1": "agent"}
    assert assign_roles([], CallSpec("c", "c.wav")).mapping == {}
