"""Speaker embeddings (Resemblyzer's encoder, weights in its wheel) and clustering (scikit-learn)."""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..config import SAMPLE_RATE as RATE
from ..config import DiarizationOptions
from ..models import Audio


FRAME_S = 0.01  # Resemblyzer's mel frames are 10 ms apart
WINDOW_FRAMES = 160  # and it was trained on 1.6 s partials
TARGET_DBFS = -30.0  # the level Resemblyzer's own preprocessing normalises to
MIN_EMBED_FRAMES = 20  # under 0.2 s of speech there is too little to say who it is
MEL_WINDOW, MEL_HOP = 400, 160  # Resemblyzer's 25 ms mel window and 10 ms step at 16 kHz
EMBED_BATCH = 256  # windows per encoder pass


class SpeakerEmbedder:
    """Embeds windows of speech with Resemblyzer's voice encoder, in one batch per call."""

    def __init__(self) -> None:
        import warnings

        import torch

        with warnings.catch_warnings():  # resemblyzer's webrtcvad import warns about pkg_resources
            warnings.simplefilter("ignore", UserWarning)
            from resemblyzer import VoiceEncoder

        self._torch = torch
        self.encoder = VoiceEncoder(device="cpu", verbose=False)
        self.encoder.eval()
        # The encoder's LSTM is most of diarization's cost. On a CPU that computes in bfloat16 natively
        # (AVX512-BF16, AMX) it runs 2.5 times faster in it; the embeddings of ../shared/data's calls
        # stay within cosine 0.998 of float32's, and their DER did not change.
        self._bf16 = bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())

    def windows(self, audio: Audio, regions: list[tuple[float, float]], hop_s: float) -> tuple[np.ndarray, list[tuple[float, float]], np.ndarray]:
        """Embeddings (n, 256) of windows over the speech regions of the channels mixed, each window's
        (start, end), and the index of the region it lies in (n,).

        A region shorter than one window is embedded alone, its frames repeated to fill the window,
        so that a short reply is never mixed with the speech around it. Regions are read one at a
        time and embedded in batches, so memory does not grow with the recording's length.
        """
        gain = _speech_gain(audio, regions)
        n_frames = 1 + audio.samples.shape[1] // MEL_HOP
        hop = max(1, int(round(hop_s / FRAME_S)))
        batch, spans, owners, embeddings = [], [], [], []
        for number, (start, end) in enumerate(regions):
            first, last = int(start / FRAME_S), min(int(end / FRAME_S), n_frames)
            if last - first < MIN_EMBED_FRAMES:
                continue
            mel = _mel_frames(audio, first, last, gain)
            if last - first <= WINDOW_FRAMES:
                batch.append(np.resize(mel, (WINDOW_FRAMES, mel.shape[1])))
                spans.append((first * FRAME_S, last * FRAME_S))
                owners.append(number)
            else:
                offsets = list(range(first, last - WINDOW_FRAMES + 1, hop))
                if offsets[-1] != last - WINDOW_FRAMES:
                    offsets.append(last - WINDOW_FRAMES)
                for offset in offsets:
                    batch.append(mel[offset - first:offset - first + WINDOW_FRAMES])
                    spans.append((offset * FRAME_S, (offset + WINDOW_FRAMES) * FRAME_S))
                    owners.append(number)
            if len(batch) >= EMBED_BATCH:
                embeddings.append(self._embed(batch))
                batch = []
        if batch:
            embeddings.append(self._embed(batch))
        if not embeddings:
            return np.zeros((0, 256), dtype=np.float32), [], np.zeros(0, dtype=int)
        return np.concatenate(embeddings), spans, np.array(owners)

    def _embed(self, batch: list[np.ndarray]) -> np.ndarray:
        with self._torch.inference_mode(), self._torch.autocast("cpu", dtype=self._torch.bfloat16, enabled=self._bf16):
            return self.encoder(self._torch.from_numpy(np.stack(batch))).float().numpy()


def _speech_gain(audio: Audio, regions: list[tuple[float, float]]) -> float:
    """The gain that brings the call's speech to Resemblyzer's level: one gain for the whole call."""
    energy, count = 0.0, 0
    for start, end in regions:
        speech = audio.segment(start, end).astype(np.float64)
        energy, count = energy + float(np.sum(speech ** 2)), count + speech.size
    rms = np.sqrt(energy / count) if count else 0.0
    return 10 ** (TARGET_DBFS / 20) / rms if rms > 0 else 1.0


def _mel_frames(audio: Audio, first: int, last: int, gain: float) -> np.ndarray:
    """Resemblyzer's mel frames `first` to `last` (frame i centred on sample i * 160), computed from
    that stretch alone but equal to the same frames of the whole signal's spectrogram (a plain
    power STFT with a Hann window through librosa's mel filters, as Resemblyzer's preprocessing)."""
    begin = first * MEL_HOP - MEL_WINDOW // 2
    length = (last - first - 1) * MEL_HOP + MEL_WINDOW
    stretch = audio.segment(max(begin, 0) / RATE, (begin + length) / RATE)
    stretch = np.pad(stretch, (max(-begin, 0), 0))  # before the first sample the signal is zero
    stretch = np.pad(stretch, (0, length - len(stretch)))  # and after the last
    frames = np.lib.stride_tricks.sliding_window_view(stretch * np.float32(gain), MEL_WINDOW)[::MEL_HOP]
    window, basis = _mel_tables()
    power = np.abs(np.fft.rfft(frames * window, axis=1)) ** 2
    return (power @ basis.T).astype(np.float32)


@lru_cache(maxsize=1)
def _mel_tables() -> tuple[np.ndarray, np.ndarray]:
    import librosa

    window = librosa.filters.get_window("hann", MEL_WINDOW, fftbins=True)
    return window, librosa.filters.mel(sr=RATE, n_fft=MEL_WINDOW, n_mels=40)


class SpeakerClusterer:
    """Groups embeddings by speaker; the number of speakers is found unless fixed.

    fit(X, regions) sets `labels_` (one per row) and `n_speakers_`. Spectral clustering on cosine
    affinity; the count is the k with the best silhouette. One voice split in two is told apart
    from two voices by time: a speaker does not change inside one stretch of speech, so a split
    whose labels flip between neighbouring windows of the same region is one voice
    (`switch_rate_`, the share of such neighbours whose labels differ).
    """

    def __init__(self, options: DiarizationOptions | dict | None = None, n_speakers: int | None = None):
        self.options = DiarizationOptions.of(options)
        self.n_speakers = n_speakers

    def fit(self, embeddings: np.ndarray, regions: np.ndarray | None = None, weights: np.ndarray | None = None) -> "SpeakerClusterer":
        n = len(embeddings)
        regions = np.arange(n) if regions is None else np.asarray(regions)
        weights = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
        self.switch_rate_ = self.silhouette_ = None
        if n < 2 or self.n_speakers == 1:
            return self._set(np.zeros(n, dtype=int))
        if n > self.options.max_clustered_windows:
            return self._fit_sample(embeddings, regions, weights)
        affinity = np.clip(embeddings @ embeddings.T, 0.0, 1.0)
        if self.n_speakers:
            return self._set(self._spectral(affinity, min(self.n_speakers, n)))
        candidates = {k: self._spectral(affinity, k) for k in range(2, min(self.options.max_speakers, n - 1) + 1)}
        if not candidates:
            return self._set(np.zeros(n, dtype=int))
        scores = {k: self._silhouette(embeddings, labels) for k, labels in candidates.items()}
        best = max(scores, key=scores.get)
        labels = self._drop_small(embeddings, candidates[best], weights)
        if len(set(labels)) > 1 and self._one_voice(embeddings, labels, regions):
            labels = np.zeros(n, dtype=int)
        return self._set(labels)

    def _fit_sample(self, embeddings: np.ndarray, regions: np.ndarray, weights: np.ndarray) -> "SpeakerClusterer":
        """Cluster the windows of a random sample of speech regions, then give every window the
        nearest cluster's centroid. The affinity matrix grows with the square of the windows, so a
        long recording is clustered on a sample: whole regions keep the one-voice test's neighbours,
        and a random one (seeded) cannot fall in step with parties that take turns."""
        names, sizes = np.unique(regions, return_counts=True)
        order = np.random.default_rng(0).permutation(len(names))
        keep = order[:max(2, np.count_nonzero(np.cumsum(sizes[order]) <= self.options.max_clustered_windows))]
        chosen = np.isin(regions, names[keep])
        picked = embeddings[chosen]
        sample = SpeakerClusterer(self.options, self.n_speakers).fit(picked, regions[chosen], weights[chosen])
        centroids = np.stack([_unit(picked[sample.labels_ == c].mean(axis=0)) for c in range(sample.n_speakers_)])
        self.switch_rate_, self.silhouette_ = sample.switch_rate_, sample.silhouette_
        return self._set(np.argmax(embeddings @ centroids.T, axis=1))

    def _one_voice(self, embeddings: np.ndarray, labels: np.ndarray, regions: np.ndarray) -> bool:
        same_region = regions[1:] == regions[:-1]
        self.switch_rate_ = float((labels[1:] != labels[:-1])[same_region].mean()) if same_region.any() else 0.0
        self.silhouette_ = self._silhouette(embeddings, labels)
        if self.switch_rate_ > self.options.max_switch_rate:
            return True
        return self.switch_rate_ > self.options.max_switch_rate_weak_split and self.silhouette_ < self.options.min_silhouette

    def _spectral(self, affinity: np.ndarray, k: int) -> np.ndarray:
        from sklearn.cluster import SpectralClustering

        model = SpectralClustering(n_clusters=k, affinity="precomputed", random_state=0, assign_labels="cluster_qr")
        return model.fit_predict(affinity)

    @staticmethod
    def _silhouette(embeddings: np.ndarray, labels: np.ndarray) -> float:
        from sklearn.metrics import silhouette_score

        return silhouette_score(embeddings, labels, metric="cosine") if len(set(labels)) > 1 else -1.0

    def _drop_small(self, embeddings: np.ndarray, labels: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Fold clusters holding under `min_speaker_share` of the speech into their nearest neighbour."""
        labels = labels.copy()
        while len(set(labels)) > 1:
            shares = {c: weights[labels == c].sum() / weights.sum() for c in set(labels)}
            smallest = min(shares, key=shares.get)
            if shares[smallest] >= self.options.min_speaker_share:
                break
            centroids = {c: _unit(embeddings[labels == c].mean(axis=0)) for c in set(labels)}
            nearest = max((c for c in centroids if c != smallest), key=lambda c: centroids[c] @ centroids[smallest])
            labels[labels == smallest] = nearest
        _, labels = np.unique(labels, return_inverse=True)
        return labels

    def _set(self, labels: np.ndarray) -> "SpeakerClusterer":
        self.labels_ = labels
        self.n_speakers_ = len(set(labels.tolist()))
        return self


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / (np.linalg.norm(vector) + 1e-9)
