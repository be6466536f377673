"""Words of all speakers → turns, one speaker each, numbered in time order."""
from __future__ import annotations

from bisect import bisect_left

from ..config import TurnOptions
from ..models import RoleAssignment, Turn, Word


def build_turns(words: list[Word], roles: RoleAssignment, options: TurnOptions | dict | None = None) -> list[Turn]:
    """Group each speaker's words into turns, then order all turns by start time.

    A speaker's turn ends at a pause longer than `max_pause_s`, or where another speaker starts
    talking inside the pause (they took the floor). Someone who merely keeps talking through the
    pause, or a backchannel said *over* someone's speech, does not split that speech; it becomes a
    short turn of its own, which is how interruptions show.
    """
    options = TurnOptions.of(options)
    by_speaker: dict[str, list[Word]] = {}
    for word in sorted(words, key=lambda w: (w.start, w.end)):
        by_speaker.setdefault(word.speaker, []).append(word)

    groups: list[tuple[str, list[Word]]] = []
    for speaker, own in by_speaker.items():
        others = sorted(start for s, ws in by_speaker.items() if s != speaker for start in _spurt_starts(ws, options.spurt_gap_s))
        current = [own[0]]
        for previous, word in zip(own, own[1:]):
            if word.start - previous.end > options.max_pause_s or _someone_spoke_between(others, previous.end, word.start):
                groups.append((speaker, current))
                current = []
            current.append(word)
        groups.append((speaker, current))

    groups.sort(key=lambda group: (group[1][0].start, group[1][-1].end))
    return [
        Turn(id=index, speaker=roles.role(speaker), start=ws[0].start, end=ws[-1].end, words=tuple(ws))
        for index, (speaker, ws) in enumerate(groups)
    ]


def _spurt_starts(words: list[Word], spurt_gap_s: float) -> list[float]:
    """Where a speaker starts talking after being silent for more than `spurt_gap_s`."""
    starts = [words[0].start] if words else []
    starts += [word.start for previous, word in zip(words, words[1:]) if word.start - previous.end > spurt_gap_s]
    return starts


def _someone_spoke_between(sorted_starts: list[float], start: float, end: float) -> bool:
    i = bisect_left(sorted_starts, start)
    return i < len(sorted_starts) and sorted_starts[i] < end
