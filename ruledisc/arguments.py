"""Checks of the Python API's arguments: a wrong type or range is a :class:`UsageError`
saying what to pass, raised before anything is read or written.

>>> need_int("train_queries", 10, low=1)
10
>>> need_int("train_queries", -1, low=1)
Traceback (most recent call last):
...
ruledisc.errors.UsageError: train_queries must be an integer of at least 1, got -1
"""

from __future__ import annotations

import math
import os
from dataclasses import fields
from typing import Any

from .errors import UsageError


def need_str(name: str, value: Any, *, optional: bool = False, empty: bool = False) -> str | None:
    """``value`` if it is a (non-empty) string; ``None`` too when ``optional``."""
    if value is None and optional:
        return None
    if not isinstance(value, str) or (not empty and not value.strip()):
        want = "a non-empty string" + (" or None" if optional else "")
        raise UsageError(f"{name} must be {want}, got {value!r} ({type(value).__name__})")
    return value


def need_int(name: str, value: Any, *, low: int | None = None, high: int | None = None) -> int:
    """``value`` if it is an int (not a bool) in ``[low, high]``."""
    ok = isinstance(value, int) and not isinstance(value, bool)
    if ok and (low is None or value >= low) and (high is None or value <= high):
        return value
    bounds = f" between {low} and {high}" if low is not None and high is not None else \
        (f" of at least {low}" if low is not None else (f" of at most {high}" if high is not None else ""))
    raise UsageError(f"{name} must be an integer{bounds}, got {value!r}")


def need_number(name: str, value: Any, *, low: float, high: float) -> float:
    """``value`` if it is a finite int or float in ``[low, high]``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) \
            and low <= value <= high:
        return float(value)
    raise UsageError(f"{name} must be a number between {low} and {high}, got {value!r}")


def need_path(name: str, value: Any) -> str | os.PathLike[str]:
    """``value`` if it is a non-empty str or path-like."""
    if isinstance(value, os.PathLike) or (isinstance(value, str) and value.strip()):
        return value
    raise UsageError(f"{name} must be a path (str or pathlib.Path), got {value!r} ({type(value).__name__})")


def need_rules(value: Any) -> Any:
    """A rules file path or a mining result (anything with ``to_dict``)."""
    if hasattr(value, "to_dict") or isinstance(value, os.PathLike) or (isinstance(value, str) and value.strip()):
        return value
    raise UsageError(f"rules must be a rules file path (.json from mine --out, or .dl) or a MineResult, "
                     f"got {value!r} ({type(value).__name__})")


def need_names(name: str, value: Any) -> tuple[str, ...] | None:
    """``None``, ``"a,b"`` or a sequence of strings, as a tuple of names."""
    if value is None:
        return None
    if isinstance(value, str):
        return tuple(s.strip() for s in value.split(",") if s.strip())
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise UsageError(f"{name} must be 'a,b', a list of column names or None, got {value!r}")


_NUMBER = {"int": (int,), "float": (int, float)}


def check_fields(opts: Any) -> None:
    """Each field of the dataclass ``opts`` of the type it declares (``int``, ``float``, ``str``,
    ``bool``, a tuple of names, optionally ``| None``), or a :class:`UsageError` naming it."""
    for f in fields(opts):
        v = getattr(opts, f.name)
        t = str(f.type)
        if v is None and "None" in t:
            continue
        base = t.split(" |")[0]
        if base in _NUMBER:
            ok = isinstance(v, _NUMBER[base]) and not isinstance(v, bool)
            if ok and isinstance(v, float) and v != v:
                ok = False
        elif base == "str":
            ok = isinstance(v, str)
        elif base == "bool":
            ok = isinstance(v, bool)
        else:   # tuple[str, ...]
            ok = isinstance(v, tuple) and all(isinstance(x, str) for x in v)
        if not ok:
            raise UsageError(f"{f.name} (--{f.name.replace('_', '-')}) must be {_WANT.get(base, 'a list of names')}, "
                             f"got {v!r} ({type(v).__name__})")


_WANT = {"int": "an integer", "float": "a number", "str": "a string", "bool": "True or False"}
