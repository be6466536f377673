import numpy as np
import pytest
from pyannote.core import Annotation, Segment

from pipeline.speech.audio import load_audio
from pipeline.speech.diarize import EmbeddedDiarizer, _extend_to, _smooth, assign_words, make_diarizer, write_rttm
from pipeline.errors import ConfigError, ModelError
from pipeline.speech.vad import speech_activity

from .conftest import SAMPLES, audio_of, words


def annotation(*turns):
    result = Annotation()
    for start, end, label in turns:
        result[Segment(start, end)] = label
    return result


def test_words_go_to_the_speaker_they_overlap_most():
    turns = annotation((0.0, 2.0, "A"), (2.0, 4.0, "B"))
    ws = words("", ("hello", 0.2, 0.6), ("yeah", 1.8, 2.3), ("okay", 1.9, 2.05), ("late", 4.5, 4.8))
    assert [w.speaker for w in assign_words(ws, turns)] == ["A", "B", "A", "B"]


def test_speech_heard_outside_the_turns_goes_to_the_nearest_speaker():
    turns = annotation((1.0, 3.0, "A"), (4.0, 6.0, "B"))
    heard = [(0.5, 3.4), (3.9, 6.0), (8.0, 9.0)]
    extended = _extend_to(turns, heard)
    assert [(s.start, s.end, label) for s, _, label in extended.itertracks(yield_label=True)] == [
        (0.5, 3.4, "A"), (3.9, 6.0, "B"), (8.0, 9.0, "B")]
    assert _extend_to(turns, []) == turns


def test_short_runs_join_their_longer_neighbour():
    labels = np.array([0] * 50 + [1] * 10 + [0] * 40 + [1] * 60)
    assert _smooth(labels, 20).tolist() == [0] * 100 + [1] * 60


def test_unknown_or_unavailable_backends_say_what_to_do():
    with pytest.raises(ConfigError, match="unknown diarizer"):
        make_diarizer({"backend": "magic"})
    with pytest.raises(ConfigError, match="needs a model"):
        make_diarizer({"backend": "pyannote"})
    try:
        import pyannote.audio  # noqa: F401
    except ImportError:
        with pytest.raises(ModelError, match=r"pip install '\.\[pyannote\]'"):
            make_diarizer({"backend": "pyannote", "model": "/models/pyannote"})


@pytest.fixture(scope="module")
def mono_call():
    audio = load_audio(SAMPLES / "s03_bank_lost_card.mono.wav")  # two male voices
    return audio, list(speech_activity(audio).speech)


def test_embedded_diarizer_finds_two_voices_in_a_same_sex_call(mono_call, tmp_path):
    import json

    audio, speech = mono_call
    result = EmbeddedDiarizer()(audio, speech)
    assert len(result.labels()) == 2
    truth = json.loads((SAMPLES / "s03_bank_lost_card.truth.json").read_text())
    # every truth turn is held mostly by one label, and neighbouring turns by different labels
    owners = [result.crop(Segment(t["start"], t["end"])).argmax() for t in truth["turns"]]
    assert all(a != b for a, b in zip(owners, owners[1:]))
    write_rttm(tuple((s.start, s.end, label) for s, _, label in result.itertracks(yield_label=True)), tmp_path / "c.rttm", "c")
    assert (tmp_path / "c.rttm").read_text().startswith("SPEAKER c 1 ")


def test_one_voice_is_one_speaker(mono_call):
    audio, speech = mono_call
    samples = audio.segment()
    agent_only = np.zeros_like(samples)
    import json

    truth = json.loads((SAMPLES / "s03_bank_lost_card.truth.json").read_text())
    for turn in truth["turns"]:
        if turn["speaker"] == "agent":
            a, b = int(turn["start"] * 16000), int(turn["end"] * 16000)
            agent_only[a:b] = samples[a:b]
    agent_only = audio_of(agent_only)
    regions = list(speech_activity(agent_only).speech)
    assert len(EmbeddedDiarizer()(agent_only, regions).labels()) == 1
    assert len(EmbeddedDiarizer()(audio, speech, speakers=1).labels()) == 1
