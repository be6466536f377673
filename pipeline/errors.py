"""Errors the user can act on. Each message says what is wrong; `hint` says what to do."""


class QAError(Exception):
    exit_code = 1

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class AudioError(QAError):
    """The audio file cannot be used: missing, empty, truncated or not audio."""


class ConfigError(QAError):
    """Options, scorecards or command-line arguments that cannot work."""


class ManifestError(QAError):
    """The batch manifest is malformed or points at files that are not there."""


class EmptyPeriodError(QAError):
    """A report or export asked for a period in which the store holds no scored calls."""

    exit_code = 4


class ModelError(QAError):
    """A model could not be loaded or failed on an input."""
