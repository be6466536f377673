"""Make labelled calls from dialogue scripts with offline text-to-speech (Debian's festival voices).

    python tools/make_calls.py data/scripts/*.yaml --out data/samples

Each script (YAML) names the two voices and lists the turns; each turn may carry labels (cue,
ack, recap, closing_action, apology). The tool speaks every turn, lays the turns on a timeline
with the script's gaps and overlaps, writes 8 kHz audio (stereo: agent left, customer right;
mono: both mixed) and `<call_id>.truth.json` in the label format of shared/spec/labels.md, with
turn times measured from the synthesized speech itself. Append rows to a manifest with --manifest.
"""
from __future__ import annotations

import argparse
import csv
import json
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import soundfile
import yaml
from scipy.signal import resample_poly

WORK_RATE = 16000
OUT_RATE = 8000
FESTIVAL_VOICES = {
    "kal": "voice_kal_diphone",  # US English, male
    "ked": "voice_ked_diphone",  # US English, male (a second male voice, for same-sex calls)
    "slt": "voice_cmu_us_slt_arctic_hts",  # US English, female
}
TRIM_DB = 35.0  # speech starts and ends where the level is within this of the clip's peak
NOISE_DBFS = -62.0  # a quiet line noise, so that silence is not digital zero
DEFAULT_GAP_S = (0.35, 0.9)  # pause before a turn when the script gives none


def speak(text: str, voice: str) -> np.ndarray:
    """Synthesize `text` with a festival voice (or `espeak:VOICE`); float32 mono at 16 kHz."""
    with tempfile.TemporaryDirectory() as tmp:
        txt, wav = Path(tmp, "t.txt"), Path(tmp, "t.wav")
        txt.write_text(text)
        if voice.startswith("espeak:"):
            command = ["espeak-ng", "-v", voice.split(":", 1)[1], "-w", str(wav), "-f", str(txt)]
        else:
            command = ["text2wave", "-eval", f"({FESTIVAL_VOICES[voice]})", str(txt), "-o", str(wav)]
        subprocess.run(command, check=True, capture_output=True)
        samples, rate = soundfile.read(wav, dtype="float32")
    if samples.ndim > 1:
        samples = samples.mean(axis=1)
    if rate != WORK_RATE:
        samples = resample_poly(samples, WORK_RATE, rate).astype(np.float32)
    return trim(samples)


def trim(samples: np.ndarray, frame: int = 160) -> np.ndarray:
    """Cut leading and trailing silence, so that turn times are the speech's own."""
    frames = len(samples) // frame
    level = np.array([np.abs(samples[i * frame:(i + 1) * frame]).max() for i in range(frames)]) + 1e-9
    loud = np.flatnonzero(20 * np.log10(level / level.max()) > -TRIM_DB)
    if not len(loud):
        return samples
    return samples[loud[0] * frame:(loud[-1] + 1) * frame]


def build_call(script: dict, rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    """Return the two-channel signal (2, n) at 16 kHz (agent, customer) and the truth document."""
    voices = {"agent": script["agent"]["voice"], "customer": script["customer"]["voice"]}
    clock = float(script.get("lead_in", 0.6))
    placed, turns = [], []
    for index, line in enumerate(script["turns"]):
        speaker = "agent" if "agent" in line else "customer"
        text = line[speaker].strip()
        clip = speak(text, voices[speaker])
        if index:
            if "overlap" in line:
                clock -= float(line["overlap"])
            else:
                clock += float(line.get("gap", rng.uniform(*DEFAULT_GAP_S)))
        start = clock
        clock = start + len(clip) / WORK_RATE
        placed.append((speaker, int(start * WORK_RATE), clip))
        turns.append({"id": index, "speaker": speaker, "start": round(start, 2), "end": round(clock, 2), "text": text})
        clock = max(clock, turns[index - 1]["end"] if index else 0.0)

    total = int((max(t["end"] for t in turns) + float(script.get("lead_out", 0.8))) * WORK_RATE)
    signal = np.zeros((2, total), dtype=np.float32)
    for speaker, offset, clip in placed:
        gain = 10 ** (float(script[speaker].get("gain_db", -3.0)) / 20)
        signal[0 if speaker == "agent" else 1, offset:offset + len(clip)] += gain * clip / np.abs(clip).max()
    signal += rng.normal(0, 10 ** (NOISE_DBFS / 20), signal.shape).astype(np.float32)
    return signal, truth_document(script, turns)


def truth_document(script: dict, turns: list[dict]) -> dict:
    """Labels from the script: cues get ids c1, c2, …; an `ack` acknowledges the latest open cue."""
    cues, acks, recaps, closings, apologies, interruptions, name_uses = [], [], [], [], [], [], []
    names = [part.lower() for part in script["customer"]["name"].split()]
    open_cues: list[str] = []
    for line, turn in zip(script["turns"], turns):
        for cue in _as_list(line.get("cue")):
            cue_id = f"c{len(cues) + 1}"
            cues.append({"id": cue_id, "turn": turn["id"], "polarity": cue.get("polarity", "negative"),
                         "kind": cue["kind"], "text": cue["text"]})
            open_cues.append(cue_id)
        if "ack" in line:
            targets = open_cues[:] if line["ack"] == "all" else [line["ack"] if isinstance(line["ack"], str) else open_cues[-1]]
            for cue_id in targets:
                acks.append({"cue": cue_id, "turn": turn["id"]})
                open_cues.remove(cue_id)
        if turn["speaker"] == "agent":
            words = {w.strip(".,?!").lower() for w in turn["text"].split()}
            if words & set(names):
                name_uses.append(turn["id"])
        if line.get("recap"):
            recaps.append(turn["id"])
        if line.get("closing_action"):
            closings.append(turn["id"])
        if "apology" in line:
            apologies.append({"turn": turn["id"], "genuine": line["apology"] == "genuine"})
        if "overlap" in line:
            interruptions.append({"turn": turn["id"], "by": turn["speaker"]})
    call_id = script["call_id"]
    kind = script.get("format", "stereo")
    return {
        "call_id": call_id,
        "audio": {kind: f"{call_id}.{kind}.{'flac' if kind == 'stereo' else 'wav'}", "channels": ["agent", "customer"]},
        "agent": {"id": script["agent"]["id"], "name": script["agent"]["name"]},
        "customer": {"name": script["customer"]["name"]},
        "turns": turns,
        "cues": cues,
        "acknowledgements": acks,
        "name_uses": name_uses,
        "recaps": recaps,
        "closing_actions": closings,
        "apologies": apologies,
        "interruptions": interruptions,
        "notes": script.get("notes", ""),
    }


def _as_list(value) -> list:
    return [] if value is None else value if isinstance(value, list) else [value]


def write_call(script: dict, out: Path, seed: int) -> dict:
    signal, truth = build_call(script, np.random.default_rng(seed))
    phone = resample_poly(signal, OUT_RATE, WORK_RATE, axis=1)
    phone = np.clip(phone, -1, 1)
    if "stereo" in truth["audio"]:
        soundfile.write(out / truth["audio"]["stereo"], phone.T, OUT_RATE, subtype="PCM_16")
    else:
        soundfile.write(out / truth["audio"]["mono"], np.clip(phone.sum(axis=0), -1, 1), OUT_RATE, subtype="PCM_16")
    (out / f"{truth['call_id']}.truth.json").write_text(json.dumps(truth, indent=1) + "\n")
    return truth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scripts", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--manifest", type=Path, help="write a manifest CSV for the calls made")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    for number, path in enumerate(sorted(args.scripts)):
        script = yaml.safe_load(path.read_text())
        truth = write_call(script, args.out, args.seed + number)
        file = truth["audio"].get("stereo") or truth["audio"]["mono"]
        rows.append({"call_id": truth["call_id"], "file": file, "agent_id": truth["agent"]["id"],
                     "agent_name": truth["agent"]["name"], "customer_name": truth["customer"]["name"],
                     "recorded_at": script.get("recorded_at", ""), "queue": script.get("queue", "")})
        print(f"{truth['call_id']}: {truth['turns'][-1]['end']:.1f} s, {len(truth['turns'])} turns")
    if args.manifest:
        with open(args.manifest, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)


if __name__ == "__main__":
    main()
