import numpy as np
import pytest

from pipeline.speech.audio import load_audio
from pipeline.errors import AudioError

from .conftest import tone, write_audio


def test_stereo_8k_file_keeps_channels_and_resamples_to_16k(tmp_path):
    path = write_audio(tmp_path / "call.flac", tone(2.0, rate=8000, channels=2), 8000)
    audio = load_audio(path)
    assert (audio.channels, audio.sample_rate, audio.rate) == (2, 8000, 16000)
    assert audio.samples.shape == (2, 32000)
    assert audio.duration == pytest.approx(2.0, abs=0.01)
    # channel 1 carries twice the pitch of channel 0: zero crossings tell them apart
    crossings = [np.count_nonzero(np.diff(np.sign(audio.segment(channel=c))) != 0) for c in range(2)]
    assert crossings[1] == pytest.approx(2 * crossings[0], rel=0.05)


def test_8bit_unsigned_wav_decodes_centred(tmp_path):
    path = write_audio(tmp_path / "u8.wav", tone(1.0, rate=8000, amplitude=0.5), 8000, subtype="PCM_U8")
    audio = load_audio(path)
    assert abs(float(audio.samples.mean())) < 0.01  # unsigned bytes are centred on zero, not 0.5
    assert 0.4 < float(np.abs(audio.samples).max()) < 0.6


def test_mp3_decodes(tmp_path):
    path = write_audio(tmp_path / "call.mp3", tone(3.0, rate=8000), 8000)
    audio = load_audio(path)
    assert audio.channels == 1 and audio.duration == pytest.approx(3.0, abs=0.15)
    assert len(audio.sha256) == 64


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: None, "file not found"),
        (lambda p: p.write_bytes(b""), "empty"),
        (lambda p: p.write_text("this is a text file, not a recording\n" * 20), "cannot be decoded as audio"),
    ],
)
def test_bad_files_say_what_is_wrong(tmp_path, make, message):
    path = tmp_path / "bad.wav"
    make(path)
    with pytest.raises(AudioError, match=message):
        load_audio(path)


def test_truncated_wav_is_reported_as_truncated(tmp_path):
    path = write_audio(tmp_path / "whole.wav", tone(10.0, rate=8000), 8000, subtype="PCM_16")
    cut = tmp_path / "cut.wav"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 3])
    with pytest.raises(AudioError, match="truncated"):
        load_audio(cut)
    assert load_audio(path).duration == pytest.approx(10.0, abs=0.01)


def test_a_long_recording_is_kept_on_disk_and_reads_the_same(tmp_path, monkeypatch):
    import pipeline.speech.audio as audio_module

    path = write_audio(tmp_path / "call.flac", tone(6.0, rate=8000, channels=2), 8000)
    in_memory = load_audio(path)
    monkeypatch.setattr(audio_module, "IN_MEMORY_LIMIT_S", 4)  # channel-seconds: this call is 12
    on_disk = load_audio(path)
    assert isinstance(on_disk.samples, audio_module.SpilledSamples) and isinstance(in_memory.samples, np.ndarray)
    assert on_disk.samples.shape == in_memory.samples.shape and on_disk.duration == in_memory.duration
    for start, end, channel in [(0.0, None, None), (1.25, 3.5, 1), (5.9, 8.0, 0), (2.0, 2.0, None)]:
        np.testing.assert_array_equal(on_disk.segment(start, end, channel), in_memory.segment(start, end, channel))
