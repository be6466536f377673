"""Text helpers shared by the behaviour stages: normalising for phrase matching, content words, and
which words of a turn say the customer's name (name use and redaction apply the one rule)."""
from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from metaphone import doublemetaphone
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
# How near in sound (rapidfuzz ratio of their Double Metaphone codes) a heard word must be to a name,
# by where it stands. After a title a surname is all but certain, so three sounds in four will do
# ("Mr. Blingering" for Lindgren); in an address position ("Thanks, angry.") a common word must keep
# nearly every sound of the name, as ASR writes "angry" for "Ingrid"; a word written as a name
# anywhere else must sound the same ("Calim" for "Callum"). Chosen on labelled-calls-2.
TITLE_SOUND = 75.0
ADDRESS_SOUND = 85.0
WRITTEN_SOUND = 100.0
# Short codes collide ("Power" and "Priya" are both PR): away from a title, a sound-alike must also
# share half its letters with the name, as "angry" does with "Ingrid" and "Calim" with "Callum".
MIN_SPELLING_WITH_SOUND = 50.0
# A word ASR gives this probability or more is what was said, so it is matched by spelling only: the
# agent who says "Ms. Adams" to Ms. Adeyemi used the wrong name. An exact transcript is all sure.
SURE_PROB = 0.9
MAX_SPLIT_WORDS = 3  # words ASR may cut one name into ("Y'all end up" for Yolanda), joined back


@lru_cache(maxsize=1)
def _name_words() -> tuple[frozenset[str], tuple[str, ...], frozenset[str]]:
    """Titles, the greetings after which one addresses someone, and the words no name follows."""
    lexicon = load_lexicon("checks")["customer_name"]
    return frozenset(lexicon["titles"].split()), tuple(lexicon["address_after"]), frozenset(lexicon["never_before"].split())


@lru_cache(maxsize=4096)
def _sounds(word: str) -> tuple[str, ...]:
    return tuple(code for code in doublemetaphone(word) if code)


def sound_similarity(heard: str, name: str) -> float:
    """How alike two words sound, 0-100: the rapidfuzz ratio of their closest Double Metaphone codes."""
    return max((fuzz.ratio(a, b) for a in _sounds(heard) for b in _sounds(name)), default=0.0)


def person_names(name: str) -> list[str]:
    """A person's names as name_spans takes them: "Harold O'Neill" → ["harold", "oneill"]."""
    return [part for part in normalize(name).split() if len(part) >= 2]


def name_spans(words: Sequence[str], names: Sequence[str], *, similarity: float, agent_names: Sequence[str] = (),
               probs: Sequence[float] | None = None) -> list[tuple[int, int, int]]:
    """The (first, last, which name) spans of a turn's `words` that say one of `names` (lower case;
    the last of two or more is the surname). Name use counts them and redaction masks them.

    - A word written as a name counts when it is the name or close to it in spelling (`similarity`, a
      rapidfuzz ratio, with the same initial: "Louis" for "Luis"; not "Thank" for "Ethan"); the name
      in lower case only after a title or in an address position ("owen dot t", an e-mail read back,
      is no use).
    - A word ASR was unsure of (`probs` below SURE_PROB; None: exact text) counts when it sounds like
      the name: after a title ("Mr. Blingering", "mister, lingering", up to MAX_SPLIT_WORDS joined),
      in an address position ("Thanks, angry.", "Congratulations. Y'all end", the words joined), or
      written as a name ("Calim" for "Callum"). "You sound angry" is no name.
    - An address position is set off by a comma or the turn's edge on both sides, or follows a
      greeting or thanks (lexicons/checks.yaml). A title, a function word alone, or words that start
      or end with one are never a name ("The" is not "Theo"), but after a title ("MS, not urgent" for
      Natarajan); nor is a word closer to the agent's own name (`agent_names`) than to the customer's."""
    plain = [normalize(w).replace(" ", "") for w in words]
    function = [all(part in _stopwords() for part in normalize(w).split()) for w in words]  # "It'll", "what's"
    surnames = list(names[1:]) or list(names)
    spans, i = [], 0
    while i < len(words):
        found = _name_at(i, words, plain, function, list(names), surnames, similarity, list(agent_names), probs)
        if found:
            spans.append(found)
        i = found[1] + 1 if found else i + 1
    return spans


def _name_at(i, words, plain, function, names, surnames, similarity, agent_names, probs) -> tuple[int, int, int] | None:
    """The span of the name that starts at word i, if one does (name_spans' rules, in that order)."""
    titles, _, never_before = _name_words()
    written = words[i].strip()[:1].isupper()
    # a title in one word or, as ASR also writes "Ms.", in two: "M .S."
    after_title = i > 0 and plain[i - 1] in titles or i > 1 and plain[i - 2] + plain[i - 1] in titles
    if i > 0 and plain[i - 1] in never_before:
        return None
    if plain[i] in names and (written or after_title or _addressed(i, i, words, plain)):
        return i, i, names.index(plain[i])
    if plain[i] in titles:
        return None
    if written and len(plain[i]) >= MIN_FUZZY_NAME and not function[i]:
        for k, n in enumerate(names):
            if len(n) >= MIN_FUZZY_NAME and plain[i][0] == n[0] and fuzz.ratio(plain[i], n) >= similarity \
                    and not _agents(plain[i], n, agent_names):
                return i, i, k
    for last in range(i, min(i + MAX_SPLIT_WORDS, len(words))):
        heard = "".join(plain[i:last + 1])
        if function[last] or function[i] and not after_title or len(heard) < MIN_FUZZY_NAME:
            continue
        if probs is None or min(probs[i:last + 1]) >= SURE_PROB:
            continue
        if after_title:
            wanted, least, spelled = surnames, TITLE_SOUND, 0.0
        elif _addressed(i, last, words, plain):
            wanted, least, spelled = names, ADDRESS_SOUND, MIN_SPELLING_WITH_SOUND
        elif written and last == i:
            wanted, least, spelled = names, WRITTEN_SOUND, MIN_SPELLING_WITH_SOUND
        else:
            continue
        for n in wanted:
            if len(n) >= MIN_FUZZY_NAME and sound_similarity(heard, n) >= least and fuzz.ratio(heard, n) >= spelled \
                    and not _agents(heard, n, agent_names):
                return i, last, names.index(n)
    return None


def _addressed(first: int, last: int, words: list[str], plain: list[str]) -> bool:
    """Whether words[first:last + 1] stand where one speaks to someone: set off by commas or the turn's
    edges ("Thanks, angry."), or after a greeting or thanks ("Okay Ingrid, ...")."""
    _, greetings, _ = _name_words()
    before = " ".join(plain[max(0, first - 2):first])
    after_greeting = any(before == g or before.endswith(" " + g) for g in greetings)
    left = first == 0 or words[first - 1].endswith(",")
    right = last == len(words) - 1 or words[last].rstrip("\"'")[-1:] in (",", ".", "!", "?")
    return after_greeting or (left and right)


def _agents(heard: str, name: str, agent_names: list[str]) -> bool:
    """Whether `heard` is closer to one of the agent's names than to the customer's `name`, in sound or
    spelling, spelling deciding a tie: "Colleen" is the agent Colleen's, not the customer Colin's."""
    def near(n: str) -> tuple[float, float]:
        spelled = fuzz.ratio(heard, n)
        return max(spelled, sound_similarity(heard, n)), spelled
    return any(near(a) > near(name) for a in agent_names if a)


