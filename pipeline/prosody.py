"""How each turn sounds. For now loudness, which cue detection uses to hear a raised voice."""
from __future__ import annotations

import numpy as np

from .models import Audio, RoleAssignment, Turn

SILENCE_DBFS = -100.0


def turn_loudness(audio: Audio, turns: list[Turn], roles: RoleAssignment) -> dict[int, float]:
    """RMS level in dBFS of each turn's speech, on the speaker's own channel where there is one.

    Only the spans of the turn's words count, so pauses inside a turn do not lower it.
    """
    channel_of = {role: int(label[2:]) for label, role in roles.mapping.items() if label.startswith("ch")}
    mono = None
    levels = {}
    for turn in turns:
        if turn.speaker in channel_of and channel_of[turn.speaker] < audio.channels:
            signal = audio.channel(channel_of[turn.speaker])
        else:
            mono = audio.mono() if mono is None else mono
            signal = mono
        pieces = [signal[int(w.start * audio.rate):int(w.end * audio.rate)] for w in turn.words]
        samples = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
        rms = float(np.sqrt(np.mean(samples.astype(np.float64) ** 2))) if samples.size else 0.0
        levels[turn.id] = float(20 * np.log10(rms)) if rms > 0 else SILENCE_DBFS
    return levels


def rise_over_baseline(turns: list[Turn], levels: dict[int, float], speaker: str) -> dict[int, float]:
    """How much louder (dB) each of `speaker`'s turns is than that speaker's median turn in the call."""
    own = [t.id for t in turns if t.speaker == speaker and levels.get(t.id, SILENCE_DBFS) > SILENCE_DBFS]
    if len(own) < 3:  # no baseline to compare with
        return {}
    baseline = float(np.median([levels[i] for i in own]))
    return {i: levels[i] - baseline for i in own}
