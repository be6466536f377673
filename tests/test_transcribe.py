import numpy as np
import pytest

from pipeline.errors import ModelError
from pipeline.speech.transcribe import Transcriber, fit_to_speech, merge_regions, resolve_model

from .conftest import audio_of


def test_merge_regions_joins_neighbours_up_to_the_chunk_length():
    regions = [(0.0, 4.0), (4.5, 9.0), (10.0, 25.0), (26.0, 40.0)]
    assert merge_regions(regions, 20.0) == [(0.0, 9.0), (10.0, 25.0), (26.0, 40.0)]
    assert merge_regions(regions, 30.0) == [(0.0, 25.0), (26.0, 40.0)]
    assert merge_regions([], 30.0) == []


def test_fit_to_speech_clips_a_word_stretched_over_a_pause():
    speech = [(1.0, 3.0), (6.0, 8.0)]
    assert fit_to_speech(2.5, 5.5, speech) == (2.5, 3.0)  # last word of a region
    assert fit_to_speech(5.8, 6.4, speech) == (6.0, 6.4)  # starts in the pause: next region
    assert fit_to_speech(6.5, 7.0, speech) == (6.5, 7.0)


def test_a_path_without_a_model_is_refused_before_loading():
    with pytest.raises(ModelError, match="no CTranslate2 model"):
        resolve_model("./models/missing")


def test_embedded_model_finds_no_words_in_a_tone_and_none_in_silence():
    from pipeline.speech.vad import speech_activity

    transcriber = Transcriber()
    t = np.arange(16000 * 3) / 16000
    for audio in (audio_of(np.zeros(16000 * 3)), audio_of(0.2 * np.sin(2 * np.pi * 440 * t))):
        assert transcriber.words(audio, speech_activity(audio).speech) == []


def test_chunks_are_grouped_into_windows_a_long_recording_is_read_in():
    from pipeline.speech.transcribe import _windows

    chunks = [(0.0, 20.0), (25.0, 50.0), (55.0, 80.0), (200.0, 210.0)]
    assert _windows(chunks, 60.0) == [[(0.0, 20.0), (25.0, 50.0)], [(55.0, 80.0)], [(200.0, 210.0)]]
    assert _windows(chunks, 600.0) == [chunks]


def test_small_windows_find_the_same_speech_and_words(monkeypatch):
    """A long recording is voice-detected and decoded window by window; the words must not depend on it."""
    import jiwer

    import pipeline.speech.transcribe as transcribe
    import pipeline.speech.vad as vad
    from pipeline.speech.audio import load_audio

    from .conftest import SAMPLES

    audio, transcriber = load_audio(SAMPLES / "s04_retail_gift.mono.wav"), Transcriber()
    whole_speech = vad.speech_activity(audio).speech
    whole = " ".join(w.text for w in transcriber.words(audio, whole_speech))
    monkeypatch.setattr(transcribe, "WINDOW_S", 15.0)
    monkeypatch.setattr(vad, "WINDOW_S", 15.0)
    speech = vad.speech_activity(audio).speech
    windowed = " ".join(w.text for w in transcriber.words(audio, speech))
    assert sum(e - s for s, e in speech) == pytest.approx(sum(e - s for s, e in whole_speech), rel=0.05)
    assert jiwer.wer(whole, windowed) < 0.1


def test_speech_regions_are_faster_whispers_and_the_wider_ones_contain_them():
    from faster_whisper.vad import VadOptions as SileroOptions
    from faster_whisper.vad import get_speech_timestamps

    from pipeline.config import VadOptions
    from pipeline.speech.audio import load_audio
    from pipeline.speech.vad import speech_activity

    from .conftest import SAMPLES

    audio = load_audio(SAMPLES / "s03_bank_lost_card.mono.wav")
    speech, heard = speech_activity(audio).speech, speech_activity(audio).heard
    vad = VadOptions()
    theirs = get_speech_timestamps(audio.segment(), SileroOptions(
        threshold=vad.threshold, min_silence_duration_ms=vad.min_silence_ms, speech_pad_ms=vad.speech_pad_ms,
        min_speech_duration_ms=vad.min_speech_ms, max_speech_duration_s=vad.max_region_s))
    assert list(speech) == [(r["start"] / 16000, r["end"] / 16000) for r in theirs]
    assert all(any(a <= start and end <= b for a, b in heard) for start, end in speech)
    assert sum(b - a for a, b in heard) >= sum(b - a for a, b in speech)


def test_an_unknown_embedded_model_names_the_ones_there_are():
    with pytest.raises(ModelError, match="no embedded ASR model 'embedded:large'") as refused:
        resolve_model("embedded:large")
    assert "embedded:tiny.en" in refused.value.hint and "embedded:base" in refused.value.hint


def test_the_customer_name_tiny_mishears_is_heard_right_with_the_manifest_names_as_hot_words(models):
    """s04's customer is Luis Romero; tiny.en alone writes "Louis" (the spelling of the commoner name)."""
    import re

    from pipeline.models import CallSpec
    from pipeline.speech.audio import load_audio
    from pipeline.speech.vad import speech_activity
    from pipeline.speech.vocabulary import Vocabulary, hot_words

    from .conftest import SAMPLES

    audio = load_audio(SAMPLES / "s04_retail_gift.mono.wav")
    speech = speech_activity(audio).speech
    spec = CallSpec("s04", audio.path, agent_name="Dana Whitfield", customer_name="Luis Romero")
    hot = hot_words(spec, Vocabulary())
    assert hot.startswith("Luis Romero, Dana Whitfield")

    def heard(hot_words: str) -> list[str]:
        return re.findall(r"\b(?:Luis|Louis|Lewis)\b", " ".join(w.text for w in models.transcriber.words(audio, speech, hot_words=hot_words)))

    without, with_names = heard(""), heard(hot)
    if "Louis" not in without and "Lewis" not in without:
        pytest.skip(f"on this CPU tiny.en hears {without} without hot words: the call shows nothing about them here")
    assert with_names and set(with_names) == {"Luis"}, with_names


def test_speech_no_word_covers_is_found_region_by_region():
    from pipeline.models import Word
    from pipeline.speech.transcribe import _uncovered

    speech = ((0.0, 2.0), (3.0, 6.0), (7.0, 7.5), (8.0, 12.0))
    words = [Word("hello", 0.2, 0.6, 0.9), Word("there", 0.7, 1.1, 0.9), Word("long", 7.9, 8.3, 0.9)]
    assert _uncovered(speech, words, 1.0) == [(3.0, 6.0)]  # (7, 7.5) is too short; (8, 12) has a word
    assert _uncovered(speech, [], 0.4) == list(speech)


def test_regions_whisper_skipped_are_decoded_again_on_their_own():
    """Whisper ended the first chunk after its first region: the second is decoded alone, and the words
    come back in time order."""
    from pipeline.config import AsrOptions
    from pipeline.models import Word

    transcriber = Transcriber.__new__(Transcriber)
    transcriber.options = AsrOptions(min_missed_s=1.0)
    calls = []

    def decode(audio, speech, channel, speaker, hot_words, chunks):
        calls.append(chunks)
        return [Word("first", 0.5, 1.0, 0.9)] if len(calls) == 1 else [Word(f"w{s:g}", s, s + 0.5, 0.9) for s, _ in chunks]

    transcriber._decode = decode
    words = transcriber.words(None, ((0.0, 2.0), (3.0, 6.0)))
    assert calls == [[(0.0, 6.0)], [(3.0, 6.0)]]
    assert [w.text for w in words] == ["first", "w3"]
