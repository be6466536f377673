import librosa
import numpy as np
import pytest

from pipeline.voice.prosody import segment_features, syllables, turn_features
from pipeline.voice.tone import party_summary, relative_to_baseline

from .conftest import turns_of

RATE = 16000


def vowel(freq, seconds=1.0, amplitude=0.3, vibrato_st=0.0):
    """A harmonic tone like a sustained vowel, optionally with its pitch swinging by ±vibrato_st."""
    t = np.arange(int(seconds * RATE)) / RATE
    f = freq * 2 ** (vibrato_st * np.sin(2 * np.pi * 2 * t) / 12)
    phase = 2 * np.pi * np.cumsum(f) / RATE
    return (amplitude * (np.sin(phase) + 0.5 * np.sin(2 * phase) + 0.25 * np.sin(3 * phase)) / 1.75).astype(np.float32)


def test_pitch_and_level_of_a_known_tone():
    features = segment_features(vowel(180.0), RATE)
    assert features.pitch_median_hz == pytest.approx(180.0, rel=0.02)
    assert features.pitch_variability_st < 0.3
    assert features.level_dbfs == pytest.approx(20 * np.log10(np.sqrt(np.mean(vowel(180.0) ** 2))), abs=0.01)
    assert len(features.loudness_per_second) == 1


def test_pitch_variation_in_semitones():
    flat, lively = segment_features(vowel(150.0, 2.0), RATE), segment_features(vowel(150.0, 2.0, vibrato_st=3.0), RATE)
    assert lively.pitch_range_st == pytest.approx(6.0, abs=1.0)  # ±3 semitones
    assert lively.pitch_variability_st > 5 * flat.pitch_variability_st


def test_chirp_pitch_follows_the_sweep():
    sweep = librosa.chirp(fmin=100, fmax=200, sr=RATE, duration=2.0).astype(np.float32) * 0.3
    features = segment_features(sweep, RATE)
    assert features.pitch_median_hz == pytest.approx(141.0, rel=0.08)  # the geometric middle of 100-200 Hz
    assert features.pitch_range_st == pytest.approx(12 * 0.8, abs=1.5)  # 10th to 90th percentile of an octave


def test_too_short_or_too_quiet_gets_null_not_a_made_up_number():
    short = segment_features(vowel(200.0, 0.1), RATE)
    quiet = segment_features(vowel(200.0, 1.0, amplitude=1e-4), RATE)
    silent = segment_features(np.zeros(RATE, dtype=np.float32), RATE)
    assert short.pitch_median_hz is None and short.level_dbfs is not None
    assert quiet.pitch_median_hz is None and quiet.level_dbfs is None
    assert silent.pitch_median_hz is None and silent.level_dbfs is None and silent.loudness_per_second == ()


def test_rate_and_pauses_from_word_timings():
    turns = turns_of(("agent", "thank you for calling today"), word_s=0.5)
    words = turns[0].words
    features = segment_features(vowel(150.0, turns[0].end), RATE, words=words)
    assert features.words_per_second == pytest.approx(5 / (words[-1].end - words[0].start))
    assert features.syllables_per_second == pytest.approx(sum(syllables(w.text) for w in words) / (words[-1].end - words[0].start))
    assert syllables("tomorrow") == 3 and syllables("called") == 1


def test_turn_features_use_each_partys_channel_and_baseline():
    from pipeline.models import Audio

    turns = turns_of(("agent", "one two three four"), ("customer", "five six seven eight"), ("agent", "nine ten eleven twelve"), gap=0.4)
    n = int((turns[-1].end + 0.5) * RATE)
    samples = np.zeros((2, n), dtype=np.float32)
    for turn, (channel, freq, amplitude) in zip(turns, [(0, 120, 0.1), (1, 220, 0.3), (0, 120, 0.4)]):
        a, b = int(turn.start * RATE), int(turn.end * RATE)
        samples[channel, a:b] = vowel(freq, (b - a) / RATE, amplitude)
    audio = Audio("x", "", n / RATE, 2, RATE, samples)
    features = turn_features(audio, turns, {"agent": 0, "customer": 1})
    assert features[1].pitch_median_hz == pytest.approx(220, rel=0.03)
    assert features[0].pitch_median_hz == pytest.approx(120, rel=0.03)
    relative = relative_to_baseline(turns, features, "agent")
    assert relative[2]["level_db"] > relative[0]["level_db"]
    assert party_summary(turns, features, "customer").turns == 1
