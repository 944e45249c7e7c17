"""One error root with specific subclasses; each carries the CLI exit code.

Exit codes: 2 a usage error (the command line or API call is wrong), 1 a data
error (the database or a file does not hold what the command needs, or cannot be
read or written), 3 an internal error (ruledisc built a statement the database
rejected: a bug to report), 130 an interrupt.

How DuckDB's errors are classified (:func:`ruledisc.engine.classify`):

- syntax, binder, internal and not-implemented errors on SQL that ruledisc
  generated are :class:`InternalError` (exit 3), unless the statement ran inside
  ``Engine.user_input()``, which marks names or values the user gave (a setting,
  a file to read); there they are :class:`DataError`;
- a missing table, view, schema or column (DuckDB's catalog errors) is always a
  :class:`MissingObjectError`, a :class:`SchemaError`: a probe that catches
  ``DataError`` around a read of a table that may not exist keeps working;
- conversion, range, constraint and invalid-input errors on the user's data are
  :class:`DataError`; running out of memory is a :class:`DataError` with a hint;
- files that cannot be read or written (permission, read-only folder, full disk,
  a lock held by another process) are :class:`SourceError`.
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
    """A database path that is missing, unreadable, unwritable, locked or empty."""


class SchemaError(DataError):
    """An unknown table, column or predicate, or a column of the wrong type."""


class MissingObjectError(SchemaError):
    """A table, view, schema or column the statement names is not in the database
    (DuckDB's catalog error). A data error, so probes for optional tables (the
    stored rules) can catch :class:`DataError`."""


class TargetError(DataError):
    """A target that cannot be learned (no positives, key not unique, bad type)."""


class PrologSyntaxError(SourceError):
    """A Prolog file that does not parse; the message names file and line."""


class InternalError(RulediscError):
    """ruledisc built a statement the database rejected: a bug in ruledisc, not in
    the data. Exit code 3. ``sql`` holds the statement; it is attached as a note,
    so ``--debug`` (which prints the traceback) shows it."""

    exit_code = 3

    def __init__(self, message: str, sql: str = "") -> None:
        super().__init__(message)
        self.sql = sql
