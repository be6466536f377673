"""Arousal against RAVDESS's acted emotions: AUC of angry clips against neutral and calm ones, per
actor, with the built-in arousal weights (nothing is trained on these clips; CC BY-NC-SA).

    python benchmarks/ravdess_arousal.py [../shared/data/emotion/ravdess]
"""
from __future__ import annotations

import sys
from pathlib import Path

from sklearn.metrics import roc_auc_score

from pipeline.speech.audio import load_audio
from pipeline.voice.prosody import segment_features
from pipeline.voice.tone import ArousalModel, clip_arousal

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "emotion" / "ravdess"
ANGRY, LOW = "05", {"01", "02"}  # the emotion field: 05 angry; 01 neutral, 02 calm


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    model = ArousalModel()
    for actor in sorted(p for p in root.iterdir() if p.is_dir()):
        files = sorted(actor.glob("*.flac")) + sorted(actor.glob("*.wav"))
        clips = [segment_features(load_audio(f).segment(), 16000) for f in files]
        scores = clip_arousal(clips, model)
        emotions = [f.name.split("-")[2] for f in files]
        chosen = [(e == ANGRY, s) for e, s in zip(emotions, scores) if (e == ANGRY or e in LOW) and s is not None]
        auc = roc_auc_score([y for y, _ in chosen], [s for _, s in chosen])
        print(f"{actor.name}: AUC angry vs neutral+calm = {auc:.3f} ({sum(y for y, _ in chosen)} angry, {sum(not y for y, _ in chosen)} neutral/calm)")


if __name__ == "__main__":
    main()
