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
def models():
    """The default models, loaded once for the tests that run them, with the threads a local run of one
    worker decodes with: on some CPUs (AMD's) the thread count moves the decoded words."""
    from pipeline.batch import load_models, threads_per_worker
    from pipeline.config import PipelineOptions

    return load_models(PipelineOptions(), threads_per_worker(1))


@pytest.fixture(scope="session")
def sample_results(tmp_path_factory, models) -> Path:
    """data/samples through the whole pipeline once, with the embedded model."""
    from pipeline.manifest import discover_calls
    from pipeline.batch import run_batch

    out = tmp_path_factory.mktemp("samples")
    summary = run_batch(discover_calls(SAMPLES), out, models=models, store=out / "callqa.duckdb")
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


def result_document(call_id: str, agent_id: str, recorded_at: str, *, cues: int = 2, acknowledged: int = 1,
                    latency_s: float = 1.0, recap: bool = True, closing: bool = True, blame: int = 0,
                    customer_name: str = "Tim Baker", queue: str = "billing", scorecard=None) -> dict:
    """A scored per-call document as `callqa run` writes it, built in code: `cues` customer cues of which
    the first `acknowledged` are acknowledged after `latency_s`, and the checks that follow from them."""
    from pipeline.reports.score import score_call
    from pipeline.reports.scorecard import load_scorecard
    from pipeline.results import score_document

    events, clock = [], 10.0
    for i in range(cues):
        events.append({"id": f"c{i + 1}", "type": "cue", "turn": 2 * i + 1, "start": clock, "end": clock + 3, "kind": "frustration",
                       "polarity": "negative", "text": "this is the third time", "confidence": 0.9, "source": "text"})
        if i < acknowledged:
            events.append({"id": f"a{i + 1}", "type": "acknowledgement", "turn": 2 * i + 2, "start": clock + 3 + latency_s,
                           "end": clock + 6, "cue": f"c{i + 1}", "latency_s": latency_s, "turns_after_cue": 1, "how": "phrase",
                           "specific": True, "shared_words": ["time"], "text": "I am sorry you had to call again"})
        clock += 20
    events += [{"id": f"b{i + 1}", "type": "blame", "turn": 40, "start": 100.0 + i, "end": 101.0 + i, "text": "you should have",
                "polarity": "negative"} for i in range(blame)]
    if recap:
        events.append({"id": "r1", "type": "recap", "turn": 30, "start": 90.0, "end": 94.0, "text": "so you were billed twice",
                       "shared_words": ["bill"], "similarity": 0.7})
    if closing:
        events.append({"id": "x1", "type": "closing_action", "turn": 50, "start": 150.0, "end": 155.0, "text": "I will email you today",
                       "owner": "i will", "action": "email", "timeframe": "today"})
    latencies = [latency_s] * acknowledged
    document = {
        "call_id": call_id, "status": "scored", "schema_version": 1,
        "audio": {"path": f"/recordings/{call_id}.wav", "sha256": call_id * 2, "duration": 180.0, "channels": 2, "sample_rate": 8000},
        "agent": {"id": agent_id, "name": f"Agent {agent_id}"}, "customer": {"name": customer_name},
        "recorded_at": recorded_at, "queue": queue, "turns": [{"id": 0, "speaker": "agent", "start": 0.0, "end": 2.0, "text": "hello", "words": []}],
        "events": events,
        "conversation": {"talk_time": {"agent": 80.0, "customer": 70.0}, "talk_share": {"agent": 0.53, "customer": 0.47},
                         "words_per_minute": {"agent": 150.0, "customer": 140.0}, "non_talk_time": 12.0, "silences": [],
                         "interruptions": {"agent": 0, "customer": 1}},
        "checks": {"cues": cues, "cues_acknowledged": acknowledged, "cues_missed": [f"c{i + 1}" for i in range(acknowledged, cues)],
                   "median_ack_latency_s": latency_s if latencies else None,
                   "name": {"customer_name": customer_name, "uses": 2 if customer_name else 0, "first_use": 5.0, "near_end": True, "overuse": False},
                   "recap": recap, "closing_action": closing, "further_help_offered": True, "apologies": {"genuine": 1, "not_genuine": 0}},
        "prosody": {"parties": {}, "agent_tone": {"engagement": {"score": 70.0}, "calm": None, "pace": {"score": 90.0}, "adaptation": None}, "turns": {}},
        "asr": {"model": "embedded:tiny.en", "device": "cpu", "compute_type": "int8", "beam_size": 5},
        "fingerprint": "f" * 16,
    }
    document["score"] = score_document(score_call(document, scorecard or load_scorecard()))
    return document


def write_night(folder: Path, documents: list[dict]) -> Path:
    """Documents into FOLDER/calls/<call_id>.json, as a night's `callqa run --out FOLDER` leaves them."""
    import json

    (folder / "calls").mkdir(parents=True, exist_ok=True)
    for document in documents:
        (folder / "calls" / f"{document['call_id']}.json").write_text(json.dumps(document))
    return folder


def message_as_nobody(attempt) -> str:
    """Run `attempt()` in a forked child that drops to the unprivileged user nobody (as root, CI's
    user, every file is readable), and return what it said: "ok", or the message of the QAError it
    raised. The child never returns into pytest."""
    import os

    from pipeline.errors import QAError

    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:
        try:
            if os.geteuid() == 0:
                os.setgid(65534), os.setuid(65534)
            try:
                attempt()
                message = "ok"
            except QAError as error:
                message = str(error)
            os.write(write_end, message.encode())
        finally:
            os._exit(0)
    os.close(write_end)
    message = os.read(read_end, 4096).decode()
    os.waitpid(child, 0)
    return message
