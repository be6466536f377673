"""Measures that need no model: talk time, non-talk time, interruptions, talk speed."""
from __future__ import annotations

from ..config import ConversationOptions
from ..models import AGENT, CUSTOMER, ConversationStats, Interruption, Silence, Turn


def measure_conversation(
    turns: list[Turn], duration: float, options: ConversationOptions | dict | None = None
) -> tuple[ConversationStats, list[Interruption]]:
    """Talk time, share and words per minute per role; silences; interruptions as events."""
    options = ConversationOptions.of(options)
    roles = sorted({AGENT, CUSTOMER} | {t.speaker for t in turns})
    talk = {role: sum(t.duration for t in turns if t.speaker == role) for role in roles}
    words = {role: sum(len(t.words) for t in turns if t.speaker == role) for role in roles}
    total_talk = sum(talk.values())
    silences = _silences(turns, duration, options.min_silence_s)
    interruptions = _interruptions(turns, options)
    stats = ConversationStats(
        talk_time={role: round(talk[role], 2) for role in roles},
        talk_share={role: round(talk[role] / total_talk, 3) if total_talk else 0.0 for role in roles},
        words_per_minute={role: round(60 * words[role] / talk[role], 1) if talk[role] > 0 else None for role in roles},
        non_talk_time=round(sum(s.duration for s in silences), 2),
        silences=tuple(silences),
        interruptions={role: sum(1 for e in interruptions if e.by == role) for role in roles},
    )
    return stats, interruptions


def _silences(turns: list[Turn], duration: float, min_silence_s: float) -> list[Silence]:
    """Stretches of at least `min_silence_s` where nobody speaks, from the start to the end of the call."""
    silences, cursor = [], 0.0
    for turn in sorted(turns, key=lambda t: t.start):
        if turn.start - cursor >= min_silence_s:
            silences.append(Silence(round(cursor, 2), round(turn.start, 2)))
        cursor = max(cursor, turn.end)
    if duration - cursor >= min_silence_s:
        silences.append(Silence(round(cursor, 2), round(duration, 2)))
    return silences


def _interruptions(turns: list[Turn], options: ConversationOptions) -> list[Interruption]:
    """A turn that starts while another party's turn still has `min_overlap_s` or more to go."""
    events = []
    for turn in turns:
        if len(turn.words) < options.min_interruption_words:
            continue
        cut = [o for o in turns if o.speaker != turn.speaker and o.start < turn.start and o.end - turn.start >= options.min_overlap_s]
        if cut:
            other = max(cut, key=lambda o: o.end)
            events.append(
                Interruption(
                    id=f"i{len(events) + 1}",
                    turn=turn.id,
                    start=turn.start,
                    end=min(turn.end, other.end),
                    text=turn.text,
                    by=turn.speaker,
                    interrupted=other.speaker,
                    overlap_s=round(other.end - turn.start, 2),
                )
            )
    return events
