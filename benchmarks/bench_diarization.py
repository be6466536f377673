"""Diarization cost against ASR on the same mono recordings, both warm (models loaded, numba compiled).

    python benchmarks/bench_diarization.py [FILES...] [--repeat 3]

Default files: the mono calls in ../shared/data/calls and pyannote_sample.wav. Prints per file the
seconds of ASR (VAD + transcription) and of diarization, and their ratio; each is the fastest of
`--repeat` runs, since this machine's speed varies from run to run.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from pipeline.speech.audio import load_audio
from pipeline.speech.diarize import EmbeddedDiarizer
from pipeline.speech.transcribe import Transcriber
from pipeline.speech.vad import speech_activity

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="*")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    files = args.files or sorted(str(p) for p in (SHARED / "calls").glob("*.mono.*")) + [str(SHARED / "diarization" / "pyannote_sample.wav")]
    transcriber, diarizer = Transcriber(), EmbeddedDiarizer()
    warm = load_audio(files[0])
    diarizer(warm, list(speech_activity(warm).speech[:5]))  # compile and load outside the timed runs
    total_asr = total_diarize = 0.0
    print(f"{'file':45s} {'audio s':>8s} {'ASR s':>7s} {'diarize s':>9s} {'ratio':>6s}")
    for file in files:
        audio = load_audio(file)
        asr = diarize = float("inf")
        for _ in range(args.repeat):
            started = time.perf_counter()
            activity = speech_activity(audio)
            speech, heard = list(activity.speech), list(activity.heard)
            transcriber.words(audio, activity.speech)
            asr = min(asr, time.perf_counter() - started)
            started = time.perf_counter()
            speakers = diarizer(audio, speech, heard=heard).labels()
            diarize = min(diarize, time.perf_counter() - started)
        total_asr, total_diarize = total_asr + asr, total_diarize + diarize
        print(f"{Path(file).name:45s} {audio.duration:8.1f} {asr:7.2f} {diarize:9.2f} {diarize / asr:6.3f}  speakers={len(speakers)}")
    print(f"{'all':45s} {'':8s} {total_asr:7.2f} {total_diarize:9.2f} {total_diarize / total_asr:6.3f}")

if __name__ == "__main__":
    main()
