"""Inputs built in code, plus session-wide runs of the real pipeline on the project's samples."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile

from pipeline.models import Audio, RoleAssignment, Word

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
SHARED_DATA = ROOT.parent / "shared" / "data"


def tone(seconds: float, *, rate: int = 16000, freq: float = 220.0, amplitude: float = 0.3, channels: int = 1) -> np.ndarray:
    """A sine tone, shape (n, channels), each channel a different pitch so channels can be told apart."""
    t = np.arange(int(seconds * rate)) / rate
    return np.stack([amplitude * np.sin(2 * np.pi * freq * (c + 1) * t) for c in range(channels)], axis=1).astype(np.float32)


def write_audio(path: Path, samples: np.ndarray, rate: int, subtype: str | None = None) -> Path:
    soundfile.write(path, samples, rate, subtype=subtype)
    return path


def audio_of(samples: np.ndarray, rate: int = 16000) -> Audio:
    """An Audio from samples of shape (n,) or (channels, n) at 16 kHz."""
    samples = np.atleast_2d(np.asarray(samples, dtype=np.float32))
    return Audio("memory", "", samples.shape[1] / rate, samples.shape[0], rate, samples, rate)


def words(speaker: str, *spans: tuple[str, float, float]) -> list[Word]:
    return [Word(text, start, end, 0.9, speaker) for text, start, end in spans]


TWO_CHANNELS = RoleAssignment({"ch0": "agent", "ch1": "customer"}, "channel", 1.0)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not beside the repository")
    return SHARED_DATA


@pytest.fixture(scope="session")
def sample_results(tmp_path_factory) -> Path:
    """data/samples through the whole pipeline once, with the embedded model."""
    from pipeline.manifest import discover_calls
    from pipeline.batch import run_batch

    out = tmp_path_factory.mktemp("samples")
    summary = run_batch(discover_calls(SAMPLES), out)
    assert summary.failed == 0, summary.failures
    return out


def turns_of(*lines: tuple[str, str], gap: float = 0.5, word_s: float = 0.3):
    """Turns from (speaker, text) lines, laid out one after another with `gap` seconds between."""
    from pipeline.models import Turn

    turns, clock = [], 0.0
    for index, (speaker, text) in enumerate(lines):
        spans = []
        for word in text.split():
            spans.append((word, clock, clock + word_s * 0.9))
            clock += word_s
        turns.append(Turn(index, speaker, spans[0][1], spans[-1][2], tuple(words(speaker, *spans))))
        clock += gap
    return turns
