import numpy as np

from pipeline.speech.speakers import SpeakerClusterer


def voices(rng, centres, per_region=6, regions_per_voice=8, spread=0.06):
    """Window embeddings on the unit sphere: each region is one voice, regions alternate voices."""
    rows, owners, truth = [], [], []
    for region in range(regions_per_voice * len(centres)):
        voice = region % len(centres)
        for _ in range(per_region):
            v = centres[voice] + spread * rng.normal(size=centres.shape[1])
            rows.append(v / np.linalg.norm(v))
            owners.append(region)
            truth.append(voice)
    return np.array(rows), np.array(owners), np.array(truth)


def centres(rng, n, dim=32):
    c = np.abs(rng.normal(size=(n, dim)))
    return c / np.linalg.norm(c, axis=1, keepdims=True)


def same_partition(a, b):
    from sklearn.metrics import adjusted_rand_score

    return adjusted_rand_score(a, b) > 0.95


def test_two_voices_are_found_and_separated():
    rng = np.random.default_rng(0)
    embeddings, owners, truth = voices(rng, centres(rng, 2))
    clusterer = SpeakerClusterer().fit(embeddings, owners)
    assert clusterer.n_speakers_ == 2
    assert same_partition(clusterer.labels_, truth)
    assert clusterer.switch_rate_ == 0.0


def test_three_voices_when_a_third_joins():
    rng = np.random.default_rng(1)
    embeddings, owners, truth = voices(rng, centres(rng, 3))
    clusterer = SpeakerClusterer().fit(embeddings, owners)
    assert clusterer.n_speakers_ == 3 and same_partition(clusterer.labels_, truth)


def test_one_voice_is_not_cut_in_two():
    rng = np.random.default_rng(2)
    embeddings, owners, _ = voices(rng, centres(rng, 1), regions_per_voice=16)
    clusterer = SpeakerClusterer().fit(embeddings, owners)
    assert clusterer.n_speakers_ == 1


def test_fixed_count_is_respected_and_tiny_clusters_fold():
    rng = np.random.default_rng(3)
    embeddings, owners, truth = voices(rng, centres(rng, 2))
    assert SpeakerClusterer(n_speakers=2).fit(embeddings, owners).n_speakers_ == 2
    assert SpeakerClusterer(n_speakers=1).fit(embeddings, owners).n_speakers_ == 1
    weights = np.where(truth == 0, 1.0, 0.01)  # the second voice holds 1 % of the speech
    assert SpeakerClusterer({"min_speaker_share": 0.05}).fit(embeddings, owners, weights).n_speakers_ == 1


def test_mel_frames_of_one_stretch_equal_the_whole_signals():
    from resemblyzer.audio import wav_to_mel_spectrogram

    from pipeline.speech.speakers import _mel_frames

    from .conftest import audio_of

    signal = np.random.default_rng(3).normal(scale=0.1, size=16000 * 4).astype(np.float32)
    whole = wav_to_mel_spectrogram(signal * np.float32(2.0))
    for first, last in [(0, 120), (57, 300), (300, len(whole))]:
        np.testing.assert_allclose(_mel_frames(audio_of(signal), first, last, 2.0), whole[first:last], rtol=1e-3, atol=1e-6)


def test_many_windows_are_clustered_on_a_sample_of_regions():
    rng = np.random.default_rng(4)
    for count in (2, 3):
        embeddings, owners, truth = voices(rng, centres(rng, count), per_region=10, regions_per_voice=30)
        clusterer = SpeakerClusterer({"max_clustered_windows": 150}).fit(embeddings, owners)
        assert clusterer.n_speakers_ == count and same_partition(clusterer.labels_, truth)
    embeddings, owners, _ = voices(rng, centres(rng, 1), per_region=10, regions_per_voice=60)
    assert SpeakerClusterer({"max_clustered_windows": 150}).fit(embeddings, owners).n_speakers_ == 1
