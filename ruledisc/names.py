"""Stored names: one unambiguous name per target, and the names of what it owns.

A target is stored under its canonical spec, the text a user passes to ``--target``::

    name  := table | table "." column | table "." column "=" value

A part is written bare unless it holds ``.``, ``=``, ``"`` or ``#``, is empty, or has
leading or trailing blanks; then it is written in double quotes, with ``"`` doubled
(SQL style). A table-kind name that equals one of ruledisc's own objects in the output
schema (``rules``, ``kg_rules``, anything starting ``lnn_``) is quoted too. The value of a
categorical target is everything after the first unquoted ``=``, so it is quoted only for
``"``, ``#``, emptiness or blanks at its ends.

Every object a target owns is named from it with a ``#`` suffix, which no canonical
name holds outside quotes, so no two targets' objects can share a name:

==========================  ==================================
``<name>``                  the union view (predicted facts)
``<name>#r<k>``             the view of rule k
``<name>#inv<k>``           invented predicate k (view and rules)
``<name>#inv<k>#r<j>``      rule j of invented predicate k
==========================  ==================================

>>> target_name("customers", "churned")
'customers.churned'
>>> target_name("orders", "status", "on hold")
'orders.status=on hold'
>>> target_name("t", "a.b"), target_name("x=y", "flag"), target_name("rules")
('t."a.b"', '"x=y".flag', '"rules"')
>>> parse_spec('t."a.b"'), parse_spec('"x=y".flag=1.5')
(('t', 'a.b', None), ('x=y', 'flag', '1.5'))
>>> owns("t", "t#r2"), owns("t", "t#inv1#r3"), owns("t", "t.r1"), owns("t", '"t#r1"')
(True, True, False, False)
"""

from __future__ import annotations

import re

from .errors import UsageError

SUFFIX = "#"
_OWNED = re.compile(r"#(r\d+|inv\d+(#r\d+)?)\Z")
_SPECIAL = re.compile(r'[."=#]')
_VALUE_SPECIAL = re.compile(r'["#]')
RESERVED = ("rules", "kg_rules")   # ruledisc's own tables in the output schema
RESERVED_PREFIX = "lnn_"           # the LNN model's tables and views


def quote(part: str) -> str:
    """``part`` in double quotes, ``"`` doubled."""
    return '"' + part.replace('"', '""') + '"'


def _bare_ok(part: str, special: re.Pattern[str]) -> bool:
    return bool(part) and part == part.strip() and not special.search(part)


def _reserved(table: str) -> bool:
    low = table.lower()
    return low in RESERVED or low.startswith(RESERVED_PREFIX)


def target_name(table: str, column: str | None = None, value: str | None = None) -> str:
    """The stored name of a target: its canonical spec (see the module docstring)."""
    t = table if _bare_ok(table, _SPECIAL) and not (column is None and _reserved(table)) else quote(table)
    if column is None:
        return t
    out = t + "." + (column if _bare_ok(column, _SPECIAL) else quote(column))
    if value is None:
        return out
    return out + "=" + (value if _bare_ok(value, _VALUE_SPECIAL) else quote(value))


def relation_name(relation: str) -> str:
    """The stored name of a knowledge-graph relation (a table-kind target)."""
    return target_name(relation)


def _part(spec: str, i: int) -> tuple[str, int, bool]:
    """Read one part of ``spec`` from ``i``: (text, next index, was quoted)."""
    if i < len(spec) and spec[i] == '"':
        out, j = [], i + 1
        while True:
            k = spec.find('"', j)
            if k < 0:
                raise UsageError(f"--target {spec!r}: unbalanced double quote; write a quote inside a "
                                 'quoted name as ""')
            out.append(spec[j:k])
            if spec[k + 1:k + 2] == '"':
                out.append('"')
                j = k + 2
                continue
            return "".join(out), k + 1, True
    j = i
    while j < len(spec) and spec[j] not in '.="':
        j += 1
    return spec[i:j], j, False


def parse_spec(spec: str) -> tuple[str, str | None, str | None]:
    """``TABLE``, ``TABLE.COLUMN`` or ``TABLE.COLUMN=VALUE`` -> (table, column, value);
    parts may be double-quoted (``t."a.b"``, ``"x=y".flag``); the value is the rest
    after the first ``=``, unquoted if it is wholly quoted."""
    if not isinstance(spec, str) or not spec.strip():
        raise UsageError("empty --target; give TABLE, TABLE.COLUMN or TABLE.COLUMN=VALUE")
    table, i, _ = _part(spec, 0)
    if i == len(spec):
        return table, None, None
    if spec[i] != ".":
        raise UsageError(f"--target {spec!r}: expected '.' after the table name at position {i + 1}; "
                         'quote names holding . = or " in double quotes, e.g. t."a.b"')
    column, i, _ = _part(spec, i + 1)
    if i == len(spec):
        return table, column, None
    if spec[i] != "=":
        raise UsageError(f"--target {spec!r}: expected '=' after the column name at position {i + 1}; "
                         'quote names holding . = or " in double quotes, e.g. t."a.b"')
    rest = spec[i + 1:]
    if len(rest) >= 2 and rest[0] == '"':
        value, j, _ = _part(rest, 0)
        if j == len(rest):
            return table, column, value
    return table, column, rest


def view_ref(schema: str, name: str) -> str:
    """``schema.name`` as SQL, each part quoted where SQL needs it (what users paste).

    >>> view_ref("ruledisc", "grandmother"), view_ref("ruledisc", "customers.churned#r1")
    ('ruledisc.grandmother', 'ruledisc."customers.churned#r1"')
    """
    from sqlglot import exp
    return exp.table_(name, db=schema).sql("duckdb")


def view_name(ref: str) -> str:
    """The view's own name in a :func:`view_ref` (the inverse, schema dropped).

    >>> view_name('ruledisc."customers.churned#r1"')
    'customers.churned#r1'
    """
    from sqlglot import exp
    return exp.to_table(ref, dialect="duckdb").name


def split_pred(name: str) -> tuple[str, str | None, str | None, str]:
    """A predicate or stored name -> (table, column, value, ``#inv<k>`` suffix or "").

    >>> split_pred('"a.b".c'), split_pred("fizz#inv2"), split_pred("t.c=on hold")
    (('a.b', 'c', None, ''), ('fizz', None, None, '#inv2'), ('t', 'c', 'on hold', ''))
    """
    m = _INVENTED.search(name)
    base, suffix = (name[:m.start()], m.group()) if m else (name, "")
    try:
        return (*parse_spec(base), suffix)
    except UsageError:
        return name, None, None, ""


def table_of(name: str) -> str | None:
    """The table a table-kind stored name or relation predicate names (``"rules"`` -> ``rules``)."""
    table, column, _, suffix = split_pred(name)
    return table if column is None and not suffix else None


def rule_view(name: str, k: int) -> str:
    """The view of rule ``k`` (1-based) of ``name``."""
    return f"{name}{SUFFIX}r{k}"


def invented(name: str, k: int) -> str:
    """Invented predicate ``k`` (1-based) of target ``name``."""
    return f"{name}{SUFFIX}inv{k}"


def owns(name: str, obj: str) -> bool:
    """Whether ``obj`` (a stored target or a view name) belongs to target ``name``:
    the name itself, its rule views, its invented predicates and their rule views."""
    return obj == name or (obj.startswith(name) and _OWNED.match(obj, len(name)) is not None)


def legacy_name(table: str, column: str | None = None, value: str | None = None) -> str:
    """The name versions before 0.2 stored a target under (``<table>__<column>__<value>``,
    ambiguous: a table ``t__flag`` and the column target ``t.flag`` shared it)."""
    return "__".join(p for p in (table, column, value) if p is not None)


_INVENTED = re.compile(r"#inv\d+\Z")


def is_canonical(name: str) -> bool:
    """Whether ``name`` is a stored name as written by :func:`target_name` (or an
    invented predicate's, ``<name>#inv<k>``)."""
    m = _INVENTED.search(name)
    base = name[:m.start()] if m else name
    try:
        return target_name(*parse_spec(base)) == base
    except UsageError:
        return False


def stored_name(pred: str) -> str:
    """The stored name of a rules file's head predicate: itself when canonical
    (``customers.churned``, ``"rules"``), else the table-kind name of it.

    >>> [stored_name(p) for p in ("grandparent", "customers.churned", "rules", "a b.c=d#inv1", "x#y")]
    ['grandparent', 'customers.churned', '"rules"', 'a b.c=d#inv1', '"x#y"']
    """
    return pred if is_canonical(pred) else target_name(pred)


def spellings(spec: str) -> tuple[list[str], list[str]]:
    """The stored names ``spec`` may mean without a catalog (``rules --target``): the
    canonical name of its parse and the whole of it as one table; then the legacy names
    of those (rows an older version wrote).

    >>> spellings("customers.churned")
    (['customers.churned', '"customers.churned"'], ['customers__churned', 'customers.churned'])
    """
    now, old = [], []
    try:
        parts = parse_spec(spec)
        now.append(target_name(*parts))
        old.append(legacy_name(*parts))
    except UsageError:
        pass
    now.append(target_name(spec))
    old.append(spec)
    return list(dict.fromkeys(now)), list(dict.fromkeys(old))


LEGACY_OWNED = re.compile(r"__(r\d+|inv\d+(__r\d+)?)\Z")


def legacy_owns(name: str, obj: str) -> bool:
    """:func:`owns` for the legacy scheme (``<name>__r<k>``, ``<name>__inv<k>``)."""
    return obj == name or (obj.startswith(name) and LEGACY_OWNED.match(obj, len(name)) is not None)
