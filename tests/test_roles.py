import pytest

from pipeline.errors import ConfigError
from pipeline.models import CallSpec, SpeakerTrack
from pipeline.roles import assign_roles

TRACKS = [SpeakerTrack("ch0", ()), SpeakerTrack("ch1", ())]


def test_first_channel_is_agent_by_convention_with_low_confidence():
    roles = assign_roles(TRACKS, CallSpec("c", "c.wav"))
    assert roles.mapping == {"ch0": "agent", "ch1": "customer"}
    assert roles.confidence < 1.0


def test_manifest_agent_channel_overrides():
    roles = assign_roles(TRACKS, CallSpec("c", "c.wav", agent_channel=1))
    assert roles.mapping == {"ch1": "agent", "ch0": "customer"}
    assert roles.confidence == 1.0


def test_agent_channel_that_does_not_exist_is_a_clear_error():
    with pytest.raises(ConfigError, match="agent_channel 3 does not exist"):
        assign_roles(TRACKS, CallSpec("c", "c.wav", agent_channel=3))


def test_third_party_is_other():
    tracks = TRACKS + [SpeakerTrack("ch2", ())]
    assert assign_roles(tracks, CallSpec("c", "c.wav")).role("ch2") == "other"
