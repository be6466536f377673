"""Phrase lists from pipeline/lexicons/*.yaml, loaded once and compiled."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigError

LEXICONS = Path(__file__).parent / "lexicons"


@lru_cache(maxsize=None)
def load_lexicon(name: str) -> dict[str, Any]:
    path = LEXICONS / f"{name}.yaml"
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(f"cannot read phrase list {path}: {error}", "restore the file or fix its YAML") from error


def compile_patterns(patterns: list[str]) -> list[re.Pattern]:
    """Regular expressions that match whole words, each phrase of a list alike."""
    return [pattern for pattern, _ in compile_phrases([{"pattern": p} for p in patterns])]


def matches(patterns: list[re.Pattern], text: str) -> bool:
    return any(p.search(text) for p in patterns)


def compile_phrases(entries: list[dict]) -> list[tuple[re.Pattern, float]]:
    """[{pattern, weight}] → compiled patterns that match whole words."""
    try:
        return [(re.compile(rf"\b(?:{e['pattern']})\b"), float(e.get("weight", 1))) for e in entries]
    except (re.error, KeyError, TypeError) as error:
        raise ConfigError(f"bad phrase in a lexicon: {error}", "each entry needs a valid regular expression in `pattern`") from error
