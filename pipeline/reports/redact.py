"""Personal data masked in transcripts, offline: card, account, social security and phone numbers,
e-mail addresses, dates of birth and street addresses, whether ASR wrote them as digits or as words
("four one one one …", "john dot smith at gmail dot com"); and the customer's name, replaced by a
placeholder that stays the same through the call, so name use can still be read.

Numbers are read token by token into digit runs (phone numbers checked with Google's libphonenumber,
card numbers with the Luhn checksum); the words that mark the rest are in lexicons/pii.yaml."""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import phonenumbers
from rapidfuzz import fuzz

from ..behaviours.lexicon import load_lexicon

NAME_SIMILARITY = 85.0  # rapidfuzz ratio at which a word is the customer's name (ASR spellings)
MIN_FUZZY_NAME = 5  # shorter names must match exactly: "time" is not "Tim", "ann" is not "Anna"
MIN_ACCOUNT_DIGITS = 6  # a spoken number this long identifies someone: an account, a policy, an order
MAX_DATE_WORDS = 8  # words after "date of birth" that can still be the date
MAX_STREET_WORDS = 4  # words between a house number and "street", "road", …

CARD, SSN, PHONE, ACCOUNT, EMAIL, BIRTH, ADDRESS = ("card number", "social security number", "phone number",
                                                    "account number", "e-mail address", "date of birth", "address")
CUSTOMER_FIRST, CUSTOMER_LAST = "Customer", "Customer surname"


@dataclass(frozen=True)
class Span:
    first: int  # token indices, both included
    last: int
    kind: str


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, Any]:
    return load_lexicon("pii")


def _plain(token: str) -> str:
    return re.sub(r"[^a-z0-9@.]", "", token.lower()).strip(".")


def _digits(token: str) -> str | None:
    """The digits a token says ("4111", "4111-1111", "four"), or None."""
    plain = re.sub(r"[\s,.\-()+/]", "", token.lower())
    if plain.isdigit():
        return plain
    return _lexicon()["digits"].get(_plain(token))


def find_pii(tokens: list[str], *, names: tuple[str, ...] = ()) -> list[Span]:
    """Spans of personal data in a turn's words, in order, not overlapping."""
    plain = [_plain(t) for t in tokens]
    # where two kinds claim the same words, the one with more context wins: a date after "born on"
    # is a date of birth before it is a number
    spans = _births(plain) + _addresses(tokens, plain) + _emails(tokens, plain) + _numbers(tokens, plain) + _names(plain, names)
    chosen: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.first, -(s.last - s.first))):  # stable: earlier kinds first
        if not chosen or span.first > chosen[-1].last:
            chosen.append(span)
    return chosen


def _emails(tokens: list[str], plain: list[str]) -> list[Span]:
    """Written ("owen.hale@example.com") and spoken ("owen dot hale at example dot com") addresses,
    and what ASR makes of them between ("owen .hale at example .com"): the words are laid out as one
    string with "dot" → "." and "at" → "@", and a regular expression finds the address in it."""
    lexicon = _lexicon()
    pieces, starts, position = [], [], 0
    for token, word in zip(tokens, plain):
        piece = "." if word in lexicon["email_dot"] else "@" if word in lexicon["email_at"] else token.lower().rstrip(",;:!?")
        starts.append(position)
        pieces.append(piece)
        position += len(piece) + 1
    text = " ".join(pieces)
    domains = "|".join(map(re.escape, lexicon["email_domains"]))
    word = r"[a-z0-9_%+-]+"
    pattern = re.compile(rf"(?<![\w.@])({word}(?: ?\. ?{word})*) ?@ ?({word}(?: ?\. ?{word})*? ?\. ?(?:{domains}))\b")
    spans = []
    for match in pattern.finditer(text):
        first = max(i for i, start in enumerate(starts) if start <= match.start())
        last = max(i for i, start in enumerate(starts) if start < match.end())
        spans.append(Span(first, last, EMAIL))
    return spans


def _numbers(tokens: list[str], plain: list[str]) -> list[Span]:
    lexicon = _lexicon()
    glue, repeaters = set(lexicon["number_glue"]), lexicon["repeaters"]
    spans, i = [], 0
    while i < len(tokens):
        if _digits(tokens[i]) is None and not (plain[i] in repeaters and i + 1 < len(tokens) and _digits(tokens[i + 1])):
            i += 1
            continue
        start, digits, last = i, "", i
        while i < len(tokens):
            if plain[i] in repeaters and i + 1 < len(tokens) and (single := _digits(tokens[i + 1])) and len(single) == 1:
                digits, last, i = digits + single * repeaters[plain[i]], i + 1, i + 2
            elif (found := _digits(tokens[i])) is not None:
                digits, last, i = digits + found, i, i + 1
            elif plain[i] in glue and i + 1 < len(tokens) and _digits(tokens[i + 1]) is not None:
                i += 1
            else:
                break
        kind = _number_kind(digits, plain[max(0, start - 6):start])
        if kind:
            spans.append(Span(start, last, kind))
    return spans


def _number_kind(digits: str, before: list[str]) -> str:
    context = " ".join(before)
    if 13 <= len(digits) <= 19 and _luhn(digits) or len(digits) >= 13 and any(m in context for m in _lexicon()["card_markers"]):
        return CARD
    if len(digits) == 9 and any(marker in context for marker in _lexicon()["ssn_markers"]):
        return SSN
    if len(digits) >= MIN_ACCOUNT_DIGITS and any(marker in context for marker in _lexicon()["account_markers"]):
        return ACCOUNT
    if 7 <= len(digits) <= 15 and _possible_phone(digits):
        return PHONE
    return ACCOUNT if len(digits) >= MIN_ACCOUNT_DIGITS else ""


def _possible_phone(digits: str) -> bool:
    for candidate in (digits, "+" + digits):
        try:
            if phonenumbers.is_possible_number(phonenumbers.parse(candidate, "US")):
                return True
        except phonenumbers.NumberParseException:
            continue
    return False


def _luhn(digits: str) -> bool:
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _births(plain: list[str]) -> list[Span]:
    lexicon = _lexicon()
    datelike = set(lexicon["months"]) | set(lexicon["date_words"]) | set(lexicon["digits"])
    spans, text = [], " ".join(plain)
    for marker in lexicon["birth_markers"]:
        for match in re.finditer(rf"\b{re.escape(marker)}\b", text):
            after = text[: match.end()].count(" ") + 1  # the token after the marker
            while after < len(plain) and plain[after] in lexicon["birth_lead_in"]:
                after += 1
            end = after
            while end < len(plain) and end - after < MAX_DATE_WORDS and (
                    plain[end] in datelike or re.fullmatch(r"\d+(st|nd|rd|th)?|\d+[/.-]\d+([/.-]\d+)?", plain[end] or "-")):
                end += 1
            while end > after and plain[end - 1] in lexicon["date_joiners"]:
                end -= 1
            if end > after:
                spans.append(Span(after, end - 1, BIRTH))
    return spans


def _addresses(tokens: list[str], plain: list[str]) -> list[Span]:
    suffixes = set(_lexicon()["street_suffixes"])
    spans = []
    for i, word in enumerate(plain):
        if word not in suffixes or i == 0:
            continue
        for start in range(i - 1, max(-1, i - MAX_STREET_WORDS - 2), -1):
            if _digits(tokens[start]) is not None:
                while start > 0 and _digits(tokens[start - 1]) is not None:  # "one two three Main Street"
                    start -= 1
                if start < i - 1:
                    spans.append(Span(start, i, ADDRESS))
                break
            if not plain[start].isalpha():
                break
    return spans


def _names(plain: list[str], names: tuple[str, ...]) -> list[Span]:
    spans = []
    for i, word in enumerate(plain):
        for position, name in enumerate(names):
            fuzzy = len(name) >= MIN_FUZZY_NAME and word[:1] == name[0] and fuzz.ratio(word, name) >= NAME_SIMILARITY
            if len(word) >= 2 and (word in (name, name + "s") or fuzzy):
                spans.append(Span(i, i, CUSTOMER_FIRST if position == 0 else CUSTOMER_LAST))
                break
    return spans


def customer_names(document: dict[str, Any]) -> tuple[str, ...]:
    """The customer's first and last name as the call knows them (manifest, else learned in the call)."""
    name = (document.get("customer") or {}).get("name") or ((document.get("checks") or {}).get("name") or {}).get("customer_name") or ""
    return tuple(part.lower() for part in name.split() if len(part) >= 2)[:2]


def _label(kind: str) -> str:
    return f"[{kind}]"


def redact_text(text: str, names: tuple[str, ...] = ()) -> str:
    """`text` with each span of personal data replaced by its kind in brackets."""
    tokens = text.split()
    spans = find_pii(tokens, names=names)
    for span in reversed(spans):
        tokens[span.first:span.last + 1] = [_label(span.kind)]
    return " ".join(tokens)


def redact_document(document: dict[str, Any]) -> dict[str, Any]:
    """A copy of a per-call document with personal data masked in its turns, their words, its events'
    texts and its score's reasons, the customer's name replaced, and `redactions`: the times of what
    was masked (to silence the audio there).

    Each speaker's words are read as one stream across their turns: a card number read out slowly is
    often cut into two turns, and half of it is still half a card number."""
    names = customer_names(document)
    redacted = copy.deepcopy(document)
    turns = redacted.get("turns", [])
    found: dict[int, list[tuple[int, int, str]]] = {}  # turn → (first word, last word, kind)
    for speaker in {t["speaker"] for t in turns}:
        refs = [(ti, wi) for ti, t in enumerate(turns) if t["speaker"] == speaker for wi in range(len(t.get("words") or []))]
        for span in find_pii([turns[ti]["words"][wi]["w"] for ti, wi in refs], names=names):
            for ti in dict.fromkeys(ti for ti, _ in refs[span.first:span.last + 1]):
                own = [wi for t, wi in refs[span.first:span.last + 1] if t == ti]
                found.setdefault(ti, []).append((own[0], own[-1], span.kind))
    redactions = []
    for ti, turn in enumerate(turns):
        words = turn.get("words") or []
        for first, last, kind in sorted(found.get(ti, []), reverse=True):
            redactions.append({"turn": turn["id"], "start": words[first]["start"], "end": words[last]["end"], "kind": kind})
            words[first:last + 1] = [{**words[first], "w": _label(kind), "end": words[last]["end"]}]
        turn["text"] = " ".join(w["w"] for w in words) if words else redact_text(turn.get("text", ""), names)
    for event in redacted.get("events", []):
        if event.get("text"):
            event["text"] = redact_text(event["text"], names)
    for criterion in (redacted.get("score") or {}).get("criteria", []):  # reasons quote the customer's name
        criterion["reason"] = redact_text(criterion.get("reason", ""), names)
    if names:
        redacted.setdefault("customer", {})["name"] = _label(CUSTOMER_FIRST)
        if (redacted.get("checks") or {}).get("name", {}).get("customer_name"):
            redacted["checks"]["name"]["customer_name"] = _label(CUSTOMER_FIRST)
    redacted["redactions"] = sorted(redactions, key=lambda r: r["start"])
    return redacted
