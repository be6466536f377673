import numpy as np
import pytest

from pipeline.behaviours.sentences import SentenceClassifier, split_sentences, training_set


def test_encoder_gives_unit_vectors_and_similar_meanings_are_close(models):
    vectors = models.encoder.encode(["I am very angry about this", "I am furious about it", "The blue one please"])
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_classifier_fits_and_predicts_held_back_sentences(models):
    texts, labels = training_set("customer_sentences")
    held = list(range(0, len(texts), 5))
    train = [i for i in range(len(texts)) if i not in held]
    model = SentenceClassifier(models.encoder).fit([texts[i] for i in train], [labels[i] for i in train])
    guesses = model.best([texts[i] for i in held], threshold=0.5)
    is_cue = [labels[i] != "none" for i in held]
    agree = sum((guess != "none") == truth for (guess, _, _), truth in zip(guesses, is_cue))
    assert agree / len(held) >= 0.8  # cue or not, on sentences it never saw


def test_shipped_classifiers_and_sentence_split(models):
    assert set(models.classifier("agent_sentences").classes_) == {"acknowledge_negative", "acknowledge_positive", "none"}
    assert split_sentences("Okay. I'm so sorry! Is that right? a") == ["I'm so sorry!", "Is that right?"]


def test_closest_is_the_nearest_pair_and_nothing_without_text(models):
    encoder = models.encoder
    ours = ["the bill is twice what it should be", "have a nice day"]
    theirs = ["I was charged double this month"]
    near = encoder.closest(ours, theirs)
    assert near == pytest.approx(encoder.closest(ours[:1], theirs), abs=1e-6)
    assert near > encoder.closest(ours[1:], theirs) + 0.1
    assert encoder.closest(ours, ours) > 0.99
    assert encoder.closest([], ours) == encoder.closest(ours, []) == 0.0


def test_no_phrase_list_claims_a_sentence_written_as_none():
    """The phrase lists and the classifiers' training sentences are two views of one judgement: a
    pattern that matches a sentence the team wrote down as plain is too broad."""
    from pipeline.behaviours.acknowledge import _phrases
    from pipeline.behaviours.cues import _cues_in
    from pipeline.behaviours.lexicon import matches
    from pipeline.behaviours.text import normalize

    agent, labels = training_set("agent_sentences")
    plain_agent = [normalize(s) for s, label in zip(agent, labels) if label == "none"]
    assert [s for s in plain_agent if any(matches(p, s) for p in _phrases().values())] == []
    customer, labels = training_set("customer_sentences")
    assert [s for s, label in zip(customer, labels) if label == "none" and _cues_in(normalize(s))] == []
