"""Personal data masked in transcripts, offline: card, account, social security and phone numbers,
e-mail addresses, dates of birth and street addresses, whether ASR wrote them as digits or as words
("four one one one …", "john dot smith at gmail dot com"); and the customer's name, replaced by a
placeholder that stays the same through the call, so name use can still be read.

Numbers are read token by token into digit runs (phone numbers checked with Google's libphonenumber,
card numbers with the Luhn checksum); the words that mark the rest are in lexicons/pii.yaml. A date is
a date of birth after words that say so ("born on") or in the answer to a question that asks for one
("and your date of birth?"); the customer's name is matched by the rule name use applies, turn by turn
(behaviours.text.name_spans), and wherever it is spelled out, in any case ("owen dot t at ...").
Every string of a document that can carry what was said or who said it is masked; codes the pipeline
writes itself (ids, types, speakers, times, the recording's path) are not."""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import phonenumbers

from ..behaviours.lexicon import load_lexicon
from ..behaviours.text import name_spans, normalize, person_names
from ..config import CheckOptions

# the spelling distance at which a heard word is the customer's name: the one name use counts by, so
# every "Louis" that counts as saying "Luis" is masked too
NAME_SIMILARITY = CheckOptions.name_similarity
MIN_ACCOUNT_DIGITS = 6  # a spoken number this long identifies someone: an account, a policy, an order
MAX_DATE_WORDS = 8  # words after "date of birth" that can still be the date
MIN_YEAR_DATE_WORDS = 2  # a year in an answer is a date with a day or a second number word: "nineteen eighty", not "1980" alone
MAX_STREET_WORDS = 4  # words between a house number and "street", "road", …

CARD, SSN, PHONE, ACCOUNT, EMAIL, BIRTH, ADDRESS = ("card number", "social security number", "phone number",
                                                    "account number", "e-mail address", "date of birth", "address")
CUSTOMER_FIRST, CUSTOMER_LAST = "Customer", "Customer surname"

# Keys whose values the pipeline writes itself: ids, types, speakers, kinds, results, times, versions,
# the recording's path (the page plays it) and the agent (the report is about them). They never hold
# what was said, and masking one would break the document: a recorded_at reads as a phone number.
CODE_KEYS = frozenset({
    "id", "type", "turn", "cue", "speaker", "kind", "how", "polarity", "source", "status", "by", "interrupted",
    "call_id", "schema_version", "fingerprint", "sha256", "path", "recorded_at", "queue", "agent", "asr", "roles",
    "cues_missed", "band", "result", "section", "scorecard", "version", "event", "evidence", "auto_failed_by", "method",
    "redactions",
})


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


def find_pii(tokens: list[str], *, names: tuple[str, ...] = (), answers: tuple[tuple[int, int], ...] = (),
             name_similarity: float = NAME_SIMILARITY, agent_names: tuple[str, ...] = (),
             probs: list[float] | None = None, turns: tuple[tuple[int, int], ...] | None = None,
             heard: dict[str, str] | None = None) -> list[Span]:
    """Spans of personal data in a turn's words, in order, not overlapping. `answers`: the (first, last)
    token ranges that answer a question for a date of birth, where any date is one. The customer's name
    is looked for turn by turn (`turns`: (first, last) token ranges; None: the tokens are one turn), with
    ASR's word probabilities (`probs`; None: exact text) and the agent's names, as name use does; and
    wherever it is spelled out, or written as `heard` ({plain word: kind}: what the turn these words
    quote said as the name)."""
    plain = [_plain(t) for t in tokens]
    # where two kinds claim the same words, the one with more context wins: a date after "born on"
    # is a date of birth before it is a number
    spans = (_births(plain) + _answered_dates(tokens, plain, answers) + _addresses(tokens, plain) + _emails(tokens, plain)
             + _numbers(tokens, plain) + _names(tokens, names, name_similarity, agent_names, probs, turns, heard or {}))
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


def _answered_dates(tokens: list[str], plain: list[str], answers: tuple[tuple[int, int], ...]) -> list[Span]:
    """Dates in the answer to "and your date of birth?": "March fourteenth nineteen eighty", "03/14/1980",
    "march 14 1980". A run of date words counts only with a month, a written date or a year in it, so
    "two kids" or "one moment" in the same answer stay."""
    lexicon = _lexicon()
    datelike = set(lexicon["months"]) | set(lexicon["date_words"]) | set(lexicon["digits"])
    spans = []
    for first, last in answers:
        i = first
        while i <= last:
            if plain[i] not in datelike and not _date_number(tokens[i]) or plain[i] in lexicon["date_not_first"]:
                i += 1
                continue
            end = i
            while end <= last and end - i < MAX_DATE_WORDS and (plain[end] in datelike or _date_number(tokens[end])):
                end += 1
            while end > i and plain[end - 1] in lexicon["date_joiners"]:
                end -= 1
            if _is_date(tokens[i:end], plain[i:end]):
                spans.append(Span(i, end - 1, BIRTH))
            i = max(end, i + 1)
    return spans


def _date_number(token: str) -> bool:
    """A day, a year or a written date: "14", "14th", "1980", "03/14/1980"."""
    return bool(re.fullmatch(r"\d{1,2}(st|nd|rd|th)?|\d{4}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}", token.lower().strip(".,;:!?")))


def _is_date(tokens: list[str], plain: list[str]) -> bool:
    lexicon = _lexicon()
    written = any(re.fullmatch(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}", t.strip(".,;:!?")) for t in tokens)
    year = any(re.fullmatch(r"(19|20)\d\d", t.strip(".,;:!?")) or p in lexicon["year_words"] for t, p in zip(tokens, plain))
    return written or any(p in lexicon["months"] for p in plain) or (year and len(tokens) >= MIN_YEAR_DATE_WORDS)


@lru_cache(maxsize=1)
def _birth_question() -> re.Pattern:
    return re.compile(rf"\b(?:{'|'.join(map(re.escape, _lexicon()['birth_questions']))})\b")


def asks_for_birth_date(text: str) -> bool:
    """Whether a turn asks for a date of birth ("and your date of birth?", "when were you born?")."""
    return bool(_birth_question().search(normalize(text)))


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


def _names(tokens: list[str], names: tuple[str, ...], similarity: float, agent_names: tuple[str, ...],
           probs: list[float] | None, turns: tuple[tuple[int, int], ...] | None, heard: dict[str, str]) -> list[Span]:
    """What name use counts as the customer's name in each turn, and the name written out anywhere."""
    if not names:
        return []
    kinds = [CUSTOMER_FIRST if position == 0 else CUSTOMER_LAST for position in range(len(names))]
    spans = []
    for first, last in turns if turns is not None else ((0, len(tokens) - 1),):
        for start, end, which in name_spans(tokens[first:last + 1], list(names), similarity=similarity, agent_names=list(agent_names),
                                            probs=None if probs is None else probs[first:last + 1]):
            spans.append(Span(first + start, first + end, kinds[which]))
    for i, token in enumerate(tokens):
        word = _plain(token)
        for position, name in enumerate(names):
            if word in (name, name + "s"):  # "owen" read back, "tims" as well as "Tim's"
                spans.append(Span(i, i, kinds[position]))
                break
        else:
            if word in heard:  # an event that quotes the turn that said "Blingering."
                spans.append(Span(i, i, heard[word]))
    return spans


def customer_names(document: dict[str, Any]) -> tuple[str, ...]:
    """The customer's first and last name as the call knows them (manifest, else learned in the call)."""
    name = (document.get("customer") or {}).get("name") or ((document.get("checks") or {}).get("name") or {}).get("customer_name") or ""
    return tuple(person_names(name))[:2]


def agent_names(document: dict[str, Any]) -> tuple[str, ...]:
    """The agent's names: a word closer to one of them than to the customer's is not the customer's."""
    agent = document.get("agent")
    return tuple(person_names(agent.get("name") or "")) if isinstance(agent, dict) else ()


def _label(kind: str) -> str:
    return f"[{kind}]"


def redact_text(text: str, names: tuple[str, ...] = (), *, answers_birth_question: bool = False,
                name_similarity: float = NAME_SIMILARITY, agent_names: tuple[str, ...] = (),
                heard: dict[str, str] | None = None) -> str:
    """`text` with each span of personal data replaced by its kind in brackets (unchanged when it has
    none). `answers_birth_question`: the text answers "your date of birth?", so a date in it is one.
    The text is read as one turn of exact words (find_pii); `heard`: what the turn it quotes said as the name."""
    tokens = text.split()
    answers = ((0, len(tokens) - 1),) if answers_birth_question and tokens else ()
    spans = find_pii(tokens, names=names, answers=answers, name_similarity=name_similarity, agent_names=agent_names, heard=heard)
    if not spans:
        return text
    for span in reversed(spans):
        tokens[span.first:span.last + 1] = [_label(span.kind)]
    return " ".join(tokens)


def _redact_words(words: list[str], names: tuple[str, ...], name_similarity: float, people: dict[str, Any]) -> list[str]:
    """A list of single words (an acknowledgement's shared_words) read as one stream, so a card number
    spread over four of them is still found; each span becomes one label."""
    spans = find_pii(words, names=names, name_similarity=name_similarity, agent_names=people["agent_names"], heard=people["heard"])
    masked = list(words)
    for span in reversed(spans):
        masked[span.first:span.last + 1] = [_label(span.kind)]
    return masked


def _mask_strings(value: Any, names: tuple[str, ...], name_similarity: float, answered: frozenset, people: dict[str, Any],
                  birth_answer: bool = False) -> Any:
    """`value` with every string in it masked, but for those under CODE_KEYS. An event of a turn in
    `answered` (turns that answer a question for a date of birth) quotes that answer. `people`: find_pii's
    agent_names and heard, and `by_turn`: the words masked as the name in each turn, which an event of
    that turn quotes ("Mr. Blingering" in the name use and the closing action of turn 14)."""
    if isinstance(value, str):
        return redact_text(value, names, answers_birth_question=birth_answer, name_similarity=name_similarity,
                           agent_names=people["agent_names"], heard=people["heard"])
    if isinstance(value, list):
        if value and all(isinstance(v, str) and len(v.split()) == 1 for v in value):
            return _redact_words(value, names, name_similarity, people)
        return [_mask_strings(v, names, name_similarity, answered, people, birth_answer) for v in value]
    if isinstance(value, dict):
        birth_answer = birth_answer or value.get("turn") in answered
        if value.get("turn") in people["by_turn"]:
            people = {**people, "heard": people["by_turn"][value["turn"]]}
        return {k: v if k in CODE_KEYS else _mask_strings(v, names, name_similarity, answered, people, birth_answer)
                for k, v in value.items()}
    return value


def _birth_answers(turns: list[dict[str, Any]]) -> set[int]:
    """Indices of the turns that answer a question for a date of birth: the other party's turns after
    it, until the one who asked speaks again."""
    answers, asker = set(), None
    for index, turn in enumerate(turns):
        if asks_for_birth_date(turn.get("text", "")):
            asker = turn["speaker"]
        elif asker is not None and turn["speaker"] == asker:
            asker = None
        elif asker is not None:
            answers.add(index)
    return answers


def _ranges(indices: list[int]) -> tuple[tuple[int, int], ...]:
    """Sorted indices as (first, last) runs: [3, 4, 5, 9] → ((3, 5), (9, 9))."""
    runs: list[list[int]] = []
    for index in indices:
        if runs and index == runs[-1][1] + 1:
            runs[-1][1] = index
        else:
            runs.append([index, index])
    return tuple((first, last) for first, last in runs)


def redact_document(document: dict[str, Any], *, name_similarity: float = NAME_SIMILARITY) -> dict[str, Any]:
    """A copy of a per-call document with personal data masked in every string that can carry it (its
    turns and their words, its events' texts and words, its score's reasons and notes, its error), the
    customer's name replaced, and `redactions`: the times of what was masked in the turns (to silence
    the audio there).

    Each speaker's words are read as one stream across their turns: a card number read out slowly is
    often cut into two turns, and half of it is still half a card number. The customer's name is read
    turn by turn, as name use reads it, and what a turn said as the name ("Mr. Blingering") is masked
    in the events of that turn, which quote it."""
    names, agents = customer_names(document), agent_names(document)
    turns = copy.deepcopy(document.get("turns", []))
    answering = _birth_answers(turns)
    found: dict[int, list[tuple[int, int, str]]] = {}  # turn → (first word, last word, kind)
    heard: dict[Any, dict[str, str]] = {}  # turn id → {plain word: kind} of the words masked there as the name
    for speaker in dict.fromkeys(t["speaker"] for t in turns):
        refs = [(ti, wi) for ti, t in enumerate(turns) if t["speaker"] == speaker for wi in range(len(t.get("words") or []))]
        answers = _ranges([i for i, (ti, _) in enumerate(refs) if ti in answering])
        stream = [turns[ti]["words"][wi]["w"] for ti, wi in refs]
        probs = [turns[ti]["words"][wi].get("p", 1.0) for ti, wi in refs]
        bounds: dict[int, list[int]] = {}  # turn → its first and last index in the stream
        for i, (ti, _) in enumerate(refs):
            bounds.setdefault(ti, [i, i])[1] = i
        for span in find_pii(stream, names=names, answers=answers, name_similarity=name_similarity, agent_names=agents,
                             probs=probs, turns=tuple(map(tuple, bounds.values()))):
            if span.kind in (CUSTOMER_FIRST, CUSTOMER_LAST):
                for ti, wi in refs[span.first:span.last + 1]:
                    heard.setdefault(turns[ti]["id"], {})[_plain(turns[ti]["words"][wi]["w"])] = span.kind
            for ti in dict.fromkeys(ti for ti, _ in refs[span.first:span.last + 1]):
                own = [wi for t, wi in refs[span.first:span.last + 1] if t == ti]
                found.setdefault(ti, []).append((own[0], own[-1], span.kind))
    redactions = []
    for ti, turn in enumerate(turns):
        words = turn.get("words") or []
        for first, last, kind in sorted(found.get(ti, []), reverse=True):
            redactions.append({"turn": turn["id"], "start": words[first]["start"], "end": words[last]["end"], "kind": kind})
            words[first:last + 1] = [{**words[first], "w": _label(kind), "end": words[last]["end"]}]
        turn["text"] = " ".join(w["w"] for w in words) if words else redact_text(
            turn.get("text", ""), names, answers_birth_question=ti in answering, name_similarity=name_similarity, agent_names=agents)
    answered_ids = frozenset(turns[ti]["id"] for ti in answering)
    people = {"agent_names": agents, "heard": {}, "by_turn": heard}
    redacted = _mask_strings({**document, "turns": []}, names, name_similarity, answered_ids, people)  # the turns are done
    if "turns" in document:
        redacted["turns"] = turns
    if names:
        redacted.setdefault("customer", {})["name"] = _label(CUSTOMER_FIRST)
        if (redacted.get("checks") or {}).get("name", {}).get("customer_name"):
            redacted["checks"]["name"]["customer_name"] = _label(CUSTOMER_FIRST)
    redacted["redactions"] = sorted(redactions, key=lambda r: r["start"])
    return redacted
