"""Load any file ffmpeg decodes (through PyAV), keep its channels, resample to 16 kHz."""
from __future__ import annotations

import hashlib
from pathlib import Path

import av
import numpy as np

from .errors import AudioError
from .models import Audio

TARGET_RATE = 16000
MIN_DURATION_S = 1.0  # shorter than this is no call: a click, a dropped connection
# A decoded length this much shorter than the length the header declares means the file was cut off.
TRUNCATION_TOLERANCE_S = 0.5
TRUNCATION_TOLERANCE_SHARE = 0.02


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_audio(path: str | Path, *, rate: int = TARGET_RATE) -> Audio:
    """Decode `path` to float32 samples of shape (channels, n) at `rate` Hz.

    Raises AudioError with a message that says what is wrong with the file.
    """
    path = Path(path)
    if not path.exists():
        raise AudioError(f"{path}: file not found", "check the path, or the manifest row that names it")
    if path.is_dir():
        raise AudioError(f"{path}: is a folder, not an audio file")
    size = path.stat().st_size
    if size == 0:
        raise AudioError(f"{path}: file is empty (0 bytes)", "the recording was not written; export it again")
    try:
        samples, sample_rate, declared = _decode(path, rate)
    except PermissionError as error:
        raise AudioError(f"{path}: cannot be read ({error.strerror})", "check the file's permissions") from error
    except (av.error.InvalidDataError, av.error.FFmpegError, ValueError) as error:
        raise AudioError(
            f"{path}: cannot be decoded as audio: not an audio file, or a corrupt or truncated one ({error})",
            "check that it is a complete WAV, FLAC, MP3, M4A or OGG recording",
        ) from error
    if samples.shape[1] == 0:
        raise AudioError(f"{path}: holds no audio samples", "the file may be truncated; export it again")
    duration = samples.shape[1] / rate
    if duration < MIN_DURATION_S:
        raise AudioError(f"{path}: recording is only {duration:.2f} s long, too short to score (at least {MIN_DURATION_S:.0f} s)",
                         "check that the recorder captured the call")
    declared = _wav_declared_duration(path) or declared
    if declared and declared - duration > max(TRUNCATION_TOLERANCE_S, TRUNCATION_TOLERANCE_SHARE * declared):
        raise AudioError(
            f"{path}: file is truncated: its header declares {declared:.1f} s but only {duration:.1f} s decode",
            "copy or export the recording again",
        )
    return Audio(
        path=str(path),
        sha256=file_sha256(path),
        duration=duration,
        channels=samples.shape[0],
        sample_rate=sample_rate,
        samples=samples,
        rate=rate,
    )


def _decode(path: Path, rate: int) -> tuple[np.ndarray, int, float | None]:
    """Return samples (channels, n), the file's own sample rate, and the duration its header declares."""
    with av.open(str(path), mode="r", metadata_errors="ignore") as container:
        if not container.streams.audio:
            raise ValueError("no audio stream")
        stream = container.streams.audio[0]
        channels = stream.codec_context.channels or 1
        declared = float(stream.duration * stream.time_base) if stream.duration and stream.time_base else None
        # Planar float keeps each channel apart: frame.to_ndarray() is (channels, n).
        resampler = av.AudioResampler(format="fltp", layout=stream.layout, rate=rate)
        chunks = []
        for frame in container.decode(stream):
            frame.pts = None
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray())
        for out in resampler.resample(None):
            chunks.append(out.to_ndarray())
        sample_rate = stream.codec_context.sample_rate
    if not chunks:
        return np.zeros((channels, 0), dtype=np.float32), sample_rate, declared
    samples = np.concatenate(chunks, axis=1).astype(np.float32, copy=False)
    return samples, sample_rate, declared


def _wav_declared_duration(path: Path) -> float | None:
    """The duration a RIFF/WAVE header declares. ffmpeg trusts the file size instead, so a WAV cut
    off mid-data would otherwise decode without complaint."""
    with open(path, "rb") as handle:
        header = handle.read(12)
        if len(header) < 12 or header[:4] != b"RIFF" or header[8:12] != b"WAVE":
            return None
        byte_rate = None
        while chunk := handle.read(8):
            if len(chunk) < 8:
                return None
            name, size = chunk[:4], int.from_bytes(chunk[4:], "little")
            if name == b"fmt ":
                fmt = handle.read(size)
                byte_rate = int.from_bytes(fmt[8:12], "little")
                handle.seek(size % 2, 1)
            elif name == b"data":
                # 0 and 0xFFFFFFFF mark a stream whose writer never knew the size.
                if not byte_rate or size in (0, 0xFFFFFFFF):
                    return None
                return size / byte_rate
            else:
                handle.seek(size + size % 2, 1)
    return None
