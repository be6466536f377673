"""Load any file ffmpeg decodes (through PyAV), keep its channels, resample to 16 kHz."""
from __future__ import annotations

import hashlib
import os
import tempfile
from itertools import chain
from pathlib import Path

import av
import numpy as np

from ..config import SAMPLE_RATE
from ..errors import AudioError
from ..models import Audio


MIN_DURATION_S = 1.0  # shorter than this is no call: a click, a dropped connection
# A decoded length this much shorter than the length the header declares means the file was cut off.
TRUNCATION_TOLERANCE_S = 0.5
TRUNCATION_TOLERANCE_SHARE = 0.02
# Recordings longer than this (in channel-seconds: 20 minutes of mono, 10 of stereo, 77 MB of float32)
# are spilled to a temporary file as they decode, so a 3-hour recording costs no more memory than a
# short one; the stages read them a stretch at a time.
IN_MEMORY_LIMIT_S = 1200


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_audio(path: str | Path, *, rate: int = SAMPLE_RATE) -> Audio:
    """Decode `path` to float32 samples of shape (channels, n) at `rate` Hz.

    Raises AudioError with a message that says what is wrong with the file.
    """
    path = Path(path)
    try:
        if not path.exists():
            raise AudioError(f"{path}: file not found", "check the path, or the manifest row that names it")
        if not path.is_file():
            raise AudioError(f"{path}: is a folder or a device, not an audio file")
        if path.stat().st_size == 0:
            raise AudioError(f"{path}: file is empty (0 bytes)", "the recording was not written; export it again")
        samples, sample_rate, declared = _decode(path, rate)
        sha256 = file_sha256(path)
    except PermissionError as error:
        raise AudioError(f"{path}: cannot be read ({error.strerror})",
                         "check the permissions of the file and its folders for the user running callqa") from error
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
        sha256=sha256,
        duration=duration,
        channels=samples.shape[0],
        sample_rate=sample_rate,
        samples=samples,
        rate=rate,
    )


def _decode(path: Path, rate: int) -> tuple[np.ndarray | "SpilledSamples", int, float | None]:
    """Return samples (channels, n), the file's own sample rate, and the duration its header declares."""
    with av.open(str(path), mode="r", metadata_errors="ignore") as container:
        if not container.streams.audio:
            raise ValueError("no audio stream")
        stream = container.streams.audio[0]
        channels = stream.codec_context.channels or 1
        declared = float(stream.duration * stream.time_base) if stream.duration and stream.time_base else None
        # Planar float keeps each channel apart: frame.to_ndarray() is (channels, n).
        resampler = av.AudioResampler(format="fltp", layout=stream.layout, rate=rate)
        chunks: list[np.ndarray] = []
        held = 0
        spilled = None
        for frame in chain(container.decode(stream), [None]):  # None flushes the resampler
            if frame is not None:
                frame.pts = None
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray().astype(np.float32, copy=False))
                held += chunks[-1].shape[1]
            if spilled is None and held * channels > IN_MEMORY_LIMIT_S * rate:
                spilled = SpilledSamples(channels)
            if spilled is not None:
                for chunk in chunks:
                    spilled.append(chunk)
                chunks, held = [], 0
        sample_rate = stream.codec_context.sample_rate
    if spilled is not None:
        return spilled, sample_rate, declared
    if not chunks:
        return np.zeros((channels, 0), dtype=np.float32), sample_rate, declared
    return np.concatenate(chunks, axis=1), sample_rate, declared


class SpilledSamples:
    """Float32 samples of shape (channels, n) kept in unnamed temporary files, one per channel,
    and read back a slice at a time: `samples[channel, first:last]` or `samples[:, first:last]`.
    The files have no name, so they vanish when the process ends, however it ends."""

    def __init__(self, channels: int):
        self._files = [tempfile.TemporaryFile(prefix="callqa-audio-") for _ in range(channels)]
        self._length = 0

    @property
    def shape(self) -> tuple[int, int]:
        return len(self._files), self._length

    def append(self, block: np.ndarray) -> None:
        for handle, row in zip(self._files, block):
            handle.write(np.ascontiguousarray(row, dtype=np.float32).tobytes())
        self._length += block.shape[1]

    def __getitem__(self, key: tuple[int | slice, slice]) -> np.ndarray:
        rows, columns = key
        first, last, step = columns.indices(self._length)
        if step != 1:
            raise IndexError("SpilledSamples reads contiguous slices only")
        count = max(0, last - first)
        if isinstance(rows, slice):
            return np.stack([self._read(handle, first, count) for handle in self._files[rows]])
        return self._read(self._files[rows], first, count)

    @staticmethod
    def _read(handle, first: int, count: int) -> np.ndarray:
        handle.flush()
        data = os.pread(handle.fileno(), count * 4, first * 4)
        return np.frombuffer(data, dtype=np.float32).copy()


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
