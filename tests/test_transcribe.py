import numpy as np
import pytest

from pipeline.errors import ModelError
from pipeline.transcribe import Transcriber, fit_to_speech, merge_regions, resolve_model


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
    transcriber = Transcriber()
    t = np.arange(16000 * 3) / 16000
    assert transcriber.words(np.zeros(16000 * 3, dtype=np.float32)) == []
    assert transcriber.words((0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)) == []
