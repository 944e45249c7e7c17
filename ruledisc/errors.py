"""One error root with specific subclasses; each carries the CLI exit code.

Exit code 2 is a usage error (the command line is wrong), 1 a data error (the
database or a file does not hold what the command needs).
"""

from __future__ import annotations


class RulediscError(Exception):
    """Root of every error ruledisc raises on purpose."""

    exit_code: int = 1


class UsageError(RulediscError):
    """The command or API call is malformed (bad option value, bad target syntax)."""

    exit_code = 2


class RuleSyntaxError(UsageError):
    """Rule text (Datalog) that does not parse; the message points at the bad spot."""


class DataError(RulediscError):
    """The data does not support the request (no positives, duplicate key, ...)."""


class SourceError(DataError):
    """A database path that is missing, unreadable, or empty."""


class SchemaError(DataError):
    """An unknown table, column or predicate, or a column of the wrong type."""


class TargetError(DataError):
    """A target that cannot be learned (no positives, key not unique, bad type)."""


class PrologSyntaxError(SourceError):
    """A Prolog file that does not parse; the message names file and line."""
