"""Hot words: the names and terms each call is expected to contain, given to Whisper before it decodes
(faster-whisper's `hotwords`), as contact-centre ASR products take a custom vocabulary. A name the
manifest knows ("Ingrid Lindgren") is then heard as that name instead of "angry" or "Blingering".

A vocabulary file names a site's products, brands and places, for every call and per queue:

    terms: [Fibrelink, Autopay]          # every call
    queues:
      pet-insurance-claims: [Petwise, vet bill]
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigError
from ..models import CallSpec

# Whisper reads at most half its 448-token context as prompt; faster-whisper cuts the rest. Names come
# first, so a long vocabulary never pushes out the call's own people.
MAX_HOT_WORDS = 60
VOCABULARY_KEYS = ("terms", "queues")


@dataclass(frozen=True)
class Vocabulary:
    terms: tuple[str, ...] = ()
    queues: dict[str, tuple[str, ...]] = field(default_factory=dict)


def load_vocabulary(path: str | Path | None) -> Vocabulary:
    """The vocabulary in `path` (none: an empty one), checked key by key."""
    if not path:
        return Vocabulary()
    path = Path(path)
    hint = "a YAML file of `terms: [...]` and `queues: {QUEUE: [...]}` (README, Hot words)"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as error:
        raise ConfigError(f"cannot read vocabulary {path}: {error.strerror or error}", f"pass --vocabulary with {hint}") from error
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {error}", f"fix the file: {hint}") from error
    if not isinstance(data, dict) or set(data) - set(VOCABULARY_KEYS):
        unknown = sorted(map(str, set(data) - set(VOCABULARY_KEYS))) if isinstance(data, dict) else []
        raise ConfigError(f"{path}: " + (f"unknown key(s) {', '.join(unknown)}" if unknown else "expected a mapping"),
                          f"the keys allowed are {', '.join(VOCABULARY_KEYS)}: {hint}")
    queues = data.get("queues") or {}
    if not isinstance(queues, dict):
        raise ConfigError(f"{path}: queues: expected a mapping of queue to a list of terms", hint)
    return Vocabulary(_terms(data.get("terms"), path, "terms"),
                      {str(queue): _terms(terms, path, f"queues.{queue}") for queue, terms in queues.items()})


def _terms(value: Any, path: Path, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(t, (str, int, float)) and str(t).strip() for t in value):
        raise ConfigError(f"{path}: {where}: expected a list of non-empty terms, got {value!r}", "write each term as a list item")
    return tuple(str(t).strip() for t in value)


def hot_words(spec: CallSpec, vocabulary: Vocabulary) -> str:
    """The call's hot words, in the order Whisper should favour them: the customer's and the agent's
    names, then the terms of the call's queue, then the site's; each once. Written as a punctuated list
    because Whisper copies its prompt's style: bare words made it drop the transcript's punctuation."""
    terms: dict[str, str] = {}  # lower case → as written, in order
    words = 0
    for term in (spec.customer_name, spec.agent_name, *vocabulary.queues.get(spec.queue or "", ()), *vocabulary.terms):
        term = " ".join(str(term or "").split())
        if term and term.lower() not in terms and words < MAX_HOT_WORDS:
            terms[term.lower()] = term
            words += len(term.split())
    return ", ".join(terms.values()) + "." if terms else ""
