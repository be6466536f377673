"""Who spoke when. Stereo: each channel is one party, transcribed on its own."""
from __future__ import annotations

from .models import Audio, SpeakerTrack
from .transcribe import Transcriber


def channel_tracks(audio: Audio, transcriber: Transcriber) -> list[SpeakerTrack]:
    """One track per channel, labelled `ch0`, `ch1`, …; each channel's words come from its own audio,
    so crosstalk never mixes the parties."""
    tracks = []
    for index in range(audio.channels):
        label = f"ch{index}"
        tracks.append(SpeakerTrack(label, tuple(transcriber.words(audio.channel(index), speaker=label))))
    return tracks


def single_track(audio: Audio, transcriber: Transcriber) -> list[SpeakerTrack]:
    """A mono recording as one speaker, until the speakers are separated by diarization."""
    return [SpeakerTrack("spk0", tuple(transcriber.words(audio.mono(), speaker="spk0")))]
