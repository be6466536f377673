"""Which speaker is the agent and which the customer."""
from __future__ import annotations

from .errors import ConfigError
from .models import AGENT, CUSTOMER, OTHER, CallSpec, RoleAssignment, SpeakerTrack

# Confidence when stereo roles rest only on the convention that the agent records on the left.
CHANNEL_CONVENTION_CONFIDENCE = 0.6


def assign_roles(tracks: list[SpeakerTrack], spec: CallSpec) -> RoleAssignment:
    """The manifest's `agent_channel` or `agent_speaker` decides; otherwise the first channel is the agent."""
    labels = [t.speaker for t in tracks]
    if spec.agent_speaker:
        return _agent_is(spec.agent_speaker, labels, "manifest", 1.0)
    if spec.agent_channel is not None:
        if f"ch{spec.agent_channel}" not in labels:
            raise ConfigError(
                f"agent_channel {spec.agent_channel} does not exist: the recording has {len(labels)} channel(s)",
                "fix the manifest's agent_channel (0 = first channel)",
            )
        return _agent_is(f"ch{spec.agent_channel}", labels, "channel", 1.0)
    return _agent_is(labels[0], labels, "channel", CHANNEL_CONVENTION_CONFIDENCE)


def _agent_is(agent: str, labels: list[str], method: str, confidence: float) -> RoleAssignment:
    mapping = {agent: AGENT}
    for label in labels:
        if label != agent:
            mapping[label] = CUSTOMER if CUSTOMER not in mapping.values() else OTHER
    return RoleAssignment(mapping, method, confidence)
