"""Text helpers shared by the behaviour stages: normalising for phrase matching, content words, and
whether a heard word is a name (name use and redaction apply the one rule)."""
from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz

from .lexicon import load_lexicon


@lru_cache(maxsize=1)
def _contractions() -> tuple[re.Pattern, dict[str, str]]:
    table = load_lexicon("text")["contractions"]
    return re.compile(r"\b(" + "|".join(re.escape(k) for k in sorted(table, key=len, reverse=True)) + r")\b"), table


def normalize(text: str) -> str:
    """Lower case, plain apostrophes, contractions expanded, punctuation to spaces: "I'm" → "i am"."""
    text = text.lower().replace("’", "'").replace("‘", "'")
    pattern, table = _contractions()
    text = pattern.sub(lambda m: table[m.group(1)], text)
    text = re.sub(r"(?<=\d)[ -](?=\d)", "", text)  # "1 -2 -3" as ASR writes spelled digits
    text = re.sub(r"[^a-z0-9' ]+", " ", text).replace("'", "")
    return " ".join(text.split())


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    return frozenset(load_lexicon("text")["stopwords"].split())


def stem(word: str) -> str:
    """A crude suffix stripper: enough to match "charged" with "charge" and "payments" with "payment"."""
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if suffix in ("ing", "ed") and len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiosz":
                word = word[:-1]  # "cancelled" → "cancel", "stopped" → "stop"
            return word
    return word


def content_words(text: str) -> set[str]:
    """Stems of the words that carry content (no stopwords, no single letters)."""
    return {stem(w) for w in normalize(text).split() if len(w) > 2 and w not in _stopwords()}


MIN_FUZZY_NAME = 3  # letters a word and a name need before spelling may differ: "Al" is said or not


def is_name(said: str, names: list[str], similarity: float) -> bool:
    """Exact, or close in spelling with the same initial and written as a name ("Louis" for "Luis"; not
    "Thank" for "Ethan", nor "time" for "Tim": ASR capitalises the names it hears). `names` lower case;
    `similarity` a rapidfuzz ratio (0-100). Name use (checks) and redaction both ask this."""
    word = normalize(said)
    written_as_name = said.strip()[:1].isupper()
    return any(word == n or (written_as_name and len(word) >= MIN_FUZZY_NAME and len(n) >= MIN_FUZZY_NAME and word[0] == n[0]
                             and fuzz.ratio(word, n) >= similarity)
               for n in names)
