"""Popper ILP tasks (``bk.pl``, ``exs.pl``, ``bias.pl``) -> a DuckDB database to mine.

The Prolog reader (:mod:`ruledisc.prolog`) turns the files into clauses. Ground
facts become tables ``<pred>(a0, ..., a{n-1})``; background rules that are pure Datalog are evaluated to their least fixpoint in SQL and stored as
tables too; ``pos``/``neg`` examples become ``<head>`` and ``<head>_neg``. What
cannot be a table (lists, compound terms, arithmetic, negation, built-ins) is
skipped and reported. ``bias.pl`` (ASP syntax) is read for its settings only.
"""

from __future__ import annotations

import gc
import shlex
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Union

import pyarrow as pa
from sqlglot import exp

from .engine import Engine
from .errors import DataError, SourceError, UsageError
from .introspect import RELATION, Catalog, Column, Predicate, Table, tab
from .progress import Phases, Reporter
from .prolog import NIL, Clause, PStr, PVar, Read, Struct, Term, is_struct, read_clauses, show
from .recursion import fixpoint_query
from .rule import Atom, Comparison, Const, Literal, Rule, Var
from .source import create_table_as, import_target

# --------------------------------------------------------------------------- bias


@dataclass
class PopperBias:
    """The ``bias.pl`` settings ruledisc can use."""

    head_preds: list[tuple[str, int]] = field(default_factory=list)
    body_preds: list[tuple[str, int]] = field(default_factory=list)
    types: dict[tuple[str, int], tuple[str, ...]] = field(default_factory=dict)
    max_body: int | None = None
    max_vars: int | None = None
    max_clauses: int | None = None
    recursion: bool = False
    invention: bool = False


def _flat(t: Term, op: str) -> list[Term]:
    """The operands of a chain of ``op`` (``a, (b, c)`` -> a, b, c), in order, without recursion."""
    out, todo = [], [t]
    while todo:
        x = todo.pop()
        if is_struct(x, op, 2):
            todo += [x.args[1], x.args[0]]
        else:
            out.append(x)
    return out


def read_bias(clauses: list[Clause]) -> PopperBias:
    """The settings among ``bias.pl``'s clauses; everything else is ignored."""
    b = PopperBias()
    for c in clauses:
        t = c.term
        if t in ("enable_recursion", "enable_pi"):
            b.recursion |= t == "enable_recursion"
            b.invention |= t == "enable_pi"
        if not isinstance(t, Struct):
            continue
        a = t.args
        if t.name in ("head_pred", "body_pred") and len(a) == 2 and isinstance(a[0], str) \
                and isinstance(a[1], int):
            (b.head_preds if t.name == "head_pred" else b.body_preds).append((a[0], a[1]))
        elif t.name in ("max_body", "max_vars", "max_clauses") and len(a) == 1 and isinstance(a[0], int):
            setattr(b, t.name, a[0])
        elif t.name == "type" and len(a) == 2 and isinstance(a[0], str):
            names = tuple(str(x) for x in _flat(a[1], ","))
            b.types[(a[0], len(names))] = names
    return b


# --------------------------------------------------------------------------- facts -> columns

Value = Union[str, int, float]
INT64 = (-(2**63), 2**63 - 1)


def _value(t: Term) -> Value | None:
    """A constant usable in a table cell; None for variables, lists and compound terms."""
    kind = type(t)
    if kind is str:
        return None if t in ("[]", "{}") else t
    if kind is int or kind is float:
        return t
    return t.text if kind is PStr else None


def _why_not_value(t: Term) -> str:
    if isinstance(t, PVar):
        return "a variable (non-ground fact)"
    if t == NIL or is_struct(t, ".", 2):
        return "a list argument"
    return f"a compound argument {t.name}/{len(t.args)}" if isinstance(t, Struct) else "an unsupported argument"


def sql_type(values: Any) -> str:
    """BIGINT if every value is an int (in range), DOUBLE if numeric, else VARCHAR."""
    kinds = {type(v) for v in values}
    if kinds <= {int} and kinds and all(INT64[0] <= v <= INT64[1] for v in (min(values), max(values))):
        return "BIGINT"
    if kinds and kinds <= {int, float}:
        return "DOUBLE"
    return "VARCHAR" if kinds else ""


def unify_types(types: Any) -> str:
    ts = {t for t in types if t}
    if not ts:
        return "VARCHAR"
    return ts.pop() if len(ts) == 1 else "DOUBLE" if ts <= {"BIGINT", "DOUBLE"} else "VARCHAR"


def _cell(v: Value, typ: str) -> Value:
    if typ == "VARCHAR":
        return v if isinstance(v, str) else repr(v)
    return float(v) if typ == "DOUBLE" else v


_ARROW = {"BIGINT": pa.int64(), "DOUBLE": pa.float64(), "VARCHAR": pa.string()}


# --------------------------------------------------------------------------- rules -> Datalog

_CMP = {"=": "=", "==": "=", "=:=": "=", "\\=": "!=", "\\==": "!=", "=\\=": "!=", "<": "<", ">": ">",
        "=<": "<=", ">=": ">="}
_NOT_DATALOG = {"\\+": "negation (\\+)", "!": "cut (!)", "is": "arithmetic (is/2)", ";": "disjunction (;)",
                "->": "if-then-else (->)", "*->": "soft cut (*->)", "not": "negation (not/1)",
                "call": "meta-call (call/N)", "findall": "aggregation (findall/3)"}


MAX_BODY = 100   # goals in one bk rule's body; SQL joining more runs for minutes


class NotDatalog(Exception):
    """Why a clause cannot be evaluated in SQL."""


def _dl_term(t: Term) -> Var | Const:
    if isinstance(t, PVar):
        return Var(t.name)
    v = _value(t)
    if v is None:
        raise NotDatalog(_why_not_value(t))
    return Const(v)


def to_datalog(c: Clause, tables: dict[tuple[str, int], str]) -> Rule:
    """A bk rule as a :class:`Rule` over table names; raises :class:`NotDatalog`."""
    head = c.head
    if not isinstance(head, Struct) or not head.args:
        raise NotDatalog("the head has no arguments")
    body: list[Literal] = []
    goals = _flat(c.body, ",")
    if len(goals) > MAX_BODY:
        raise NotDatalog(f"a body of {len(goals)} goals; ruledisc evaluates rules of at most {MAX_BODY}")
    for g in goals:
        if g == "true":
            continue
        if not isinstance(g, (Struct, str)):
            raise NotDatalog(f"body goal {show(g)} is not a predicate call")
        name, args = (g, ()) if isinstance(g, str) else g
        if name in _CMP and len(args) == 2:
            body.append(Comparison(_CMP[name], _dl_term(args[0]), _dl_term(args[1])))
        elif name in _NOT_DATALOG:
            raise NotDatalog(_NOT_DATALOG[name])
        elif (name, len(args)) in tables:
            body.append(Atom(tables[(name, len(args))], tuple(_dl_term(a) for a in args)))
        else:
            raise NotDatalog(f"calls {name}/{len(args)}, which bk.pl does not define "
                             "(Prolog built-ins are not Datalog)")
    rule = _bind_equalities(Rule(Atom(tables[(head.name, len(head.args))],
                                      tuple(_dl_term(a) for a in head.args)), tuple(body)))
    if not any(isinstance(lit, Atom) for lit in rule.body):
        raise NotDatalog("no body atom over bk predicates (an infinite or built-in relation)")
    if not rule.is_range_restricted():
        loose = sorted(set(rule.variables()) - rule.body_vars())
        raise NotDatalog(f"not range-restricted: {', '.join(loose)} not bound by a body atom")
    return rule


def _bind_equalities(rule: Rule) -> Rule:
    """``X = t`` where no body atom binds X: put t for X and drop the equality (repeatedly)."""
    while (step := _bind_one(rule)) is not None:
        rule = step
    return rule


def _bind_one(rule: Rule) -> Rule | None:
    """``rule`` with its first bindable equality substituted away; None if it has none."""
    for k, lit in enumerate(rule.body):
        if isinstance(lit, Comparison) and lit.op == "=":
            for var, val in ((lit.left, lit.right), (lit.right, lit.left)):
                if isinstance(var, Var) and var.name not in rule.body_vars():
                    sub = lambda t, var=var, val=val: val if t == var else t
                    body = tuple(Atom(b.pred, tuple(map(sub, b.args))) if isinstance(b, Atom)
                                 else Comparison(b.op, sub(b.left), sub(b.right))
                                 for j, b in enumerate(rule.body) if j != k)
                    return Rule(Atom(rule.head.pred, tuple(map(sub, rule.head.args))), body)
    return None


def _family(typ: str) -> str:
    return "str" if typ == "VARCHAR" else "num"


def rule_types(rule: Rule, cat: Catalog) -> list[str]:
    """SQL types of the head's columns; raises :class:`NotDatalog` on a type clash."""
    seen: dict[str, str] = {}
    for lit in rule.body:
        if isinstance(lit, Atom):
            for a, typ in zip(lit.args, cat.predicate(lit.pred, len(lit.args)).types):
                if isinstance(a, Var) and _family(seen.setdefault(a.name, typ)) != _family(typ):
                    raise NotDatalog(f"type clash: {a.name} joins {seen[a.name]} and {typ} columns")
    for lit in rule.body:
        if isinstance(lit, Comparison):
            fams = {_family(seen[t.name]) if isinstance(t, Var) else _family(sql_type([t.value]))
                    for t in (lit.left, lit.right)}
            if len(fams) > 1:
                raise NotDatalog(f"type clash in {lit.text()}")
    return [seen[a.name] if isinstance(a, Var) else sql_type([a.value]) for a in rule.head.args]


# --------------------------------------------------------------------------- report


@dataclass
class TableInfo:
    name: str
    predicate: str          # name/arity in the task
    kind: str               # facts, rules, positives, negatives
    rows: int
    columns: list[tuple[str, str]]


@dataclass
class Skipped:
    item: str
    reason: str


@dataclass
class TargetInfo:
    predicate: str
    table: str
    negatives: str | None   # table of negative examples
    n_positives: int
    n_negatives: int
    background: list[str]
    command: str            # the suggested ``ruledisc mine`` command line


@dataclass
class ImportReport:
    task_dir: str
    out_path: str
    tables: list[TableInfo] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    targets: list[TargetInfo] = field(default_factory=list)
    bias: PopperBias | None = None
    notes: list[str] = field(default_factory=list)
    directives: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def commands(self) -> list[str]:
        return [t.command for t in self.targets]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        if self.bias is not None:
            d["bias"]["types"] = {f"{n}/{a}": list(ts) for (n, a), ts in self.bias.types.items()}
        d["commands"] = self.commands
        return d

    def summary(self) -> str:
        lines = [f"imported {self.task_dir} into {self.out_path} ({self.timings.get('total_s', 0):.2f}s)"]
        lines += [f"  {t.name:<24} {t.rows:>8} rows  {t.kind} {t.predicate}" for t in self.tables]
        if self.directives:
            lines.append(f"{self.directives} directive(s) (:- ...) ignored")
        if self.skipped:
            lines.append(f"skipped {len(self.skipped)}:")
            lines += [f"  {s.item}: {s.reason}" for s in self.skipped]
        lines += [f"note: {n}" for n in self.notes]
        if self.targets:
            lines.append("next:")
            lines += [f"  {t.command}" for t in self.targets]
        return "\n".join(lines)


# --------------------------------------------------------------------------- import


@dataclass
class _Pred:
    """One bk predicate name/arity: its facts and rules, and why it cannot be a table."""

    name: str
    arity: int
    facts: list[tuple[Value, ...]] = field(default_factory=list)
    rules: list[Clause] = field(default_factory=list)
    bad: str | None = None
    table: str = ""

    @property
    def key(self) -> str:
        return f"{self.name}/{self.arity}"


_FRAME = "__rd_popper_frame"


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic GC while building millions of acyclic tuples (halves the parse time)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _read(path: Path, lenient: bool = False) -> Read:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise SourceError(f"cannot read {path}: {err}") from err
    return read_clauses(text, path.name, lenient)


def _group_bk(clauses: list[Clause], skipped: list[Skipped]) -> dict[tuple[str, int], _Pred]:
    """Facts and rules per name/arity; facts that are not constants mark the predicate bad."""
    preds: dict[tuple[str, int], _Pred] = {}
    for c in clauses:
        head = c.head
        if not isinstance(head, Struct) or not head.args:
            skipped.append(Skipped(f"bk.pl:{c.line}", f"{show(head)} has no arguments, so no table"))
            continue
        p = preds.setdefault((head.name, len(head.args)), _Pred(head.name, len(head.args)))
        if c.body is not None:
            p.rules.append(c)
            continue
        row = tuple(_value(a) for a in head.args)
        if None in row and p.bad is None:
            p.bad = f"bk.pl:{c.line}: {_why_not_value(head.args[row.index(None)])}"
        p.facts.append(row)
    return preds


def _name_tables(keys: list[tuple[str, int]]) -> dict[tuple[str, int], str]:
    arities: dict[str, set[int]] = {}
    for n, a in keys:
        arities.setdefault(n, set()).add(a)
    return {(n, a): n if len(arities[n]) == 1 else f"{n}_{a}" for n, a in keys}


def _examples(clauses: list[Clause]) -> dict[tuple[str, int], dict[str, list[Term]]]:
    """``pos``/``neg`` atoms per example predicate."""
    out: dict[tuple[str, int], dict[str, list[Term]]] = {}
    for c in clauses:
        t = c.term
        if not (isinstance(t, Struct) and t.name in ("pos", "neg") and len(t.args) == 1
                and isinstance(t.args[0], Struct)):
            raise DataError(f"exs.pl:{c.line}: expected pos(atom). or neg(atom)., found {show(t)}")
        ex = t.args[0]
        out.setdefault((ex.name, len(ex.args)), {"pos": [], "neg": []})[t.name].append(ex)
    return out


def _write(eng: Engine, name: str, types: list[str], rows: list[tuple[Value, ...]]) -> int:
    """``CREATE TABLE main.name AS`` the rows (bulk, through an arrow frame); returns the row count."""
    cells = list(dict.fromkeys(tuple(_cell(v, t) for v, t in zip(r, types)) for r in rows))
    cols = [f"a{i}" for i in range(len(types))]
    data = list(zip(*cells)) if cells else [()] * len(types)
    frame = pa.Table.from_arrays([pa.array(list(d), type=_ARROW[t]) for d, t in zip(data, types)], names=cols)
    eng.con.register(_FRAME, frame)
    try:
        eng.execute(create_table_as(name, exp.select(*[exp.column(c, quoted=True) for c in cols])
                                    .from_(exp.to_identifier(_FRAME, quoted=True))))
    finally:
        eng.con.unregister(_FRAME)
    return len(cells)


def _register(cat: Catalog, name: str, types: list[str]) -> None:
    cols = tuple(f"a{i}" for i in range(len(types)))
    cat.tables[name] = Table(name, tuple(Column(c, t) for c, t in zip(cols, types)))
    cat.predicates[name] = Predicate(name, name, cols, RELATION, tuple(types))


def _strata(preds: dict[tuple[str, int], _Pred]) -> list[_Pred]:
    """Rule-defined predicates in dependency order; mutual recursion is skipped."""
    ruled = {k: p for k, p in preds.items() if p.rules and p.bad is None}
    deps = {k: {(g.name, len(g.args)) for c in p.rules for g in _flat(c.body, ",")
                if isinstance(g, Struct) and (g.name, len(g.args)) in ruled} - {k} for k, p in ruled.items()}
    reach = {k: set(d) for k, d in deps.items()}
    for _ in ruled:
        for k in reach:
            reach[k] |= {y for x in reach[k] for y in reach[x]}
    for k, p in ruled.items():
        if k in reach[k]:
            others = sorted(f"{n}/{a}" for n, a in reach[k] if k in reach[(n, a)] and (n, a) != k)
            p.bad = f"mutual recursion with {', '.join(others)} is not supported"
    order: list[_Pred] = []
    done: set[tuple[str, int]] = set()
    while len(done) < len(ruled):
        ready = [k for k in ruled if k not in done and (deps[k] <= done or ruled[k].bad)]
        if not ready:
            break
        for k in ready:
            done.add(k)
            order.append(ruled[k])
    return order


def import_popper(task_dir: str | Path, out_path: str | Path, reporter: Reporter | None = None) -> ImportReport:
    """Read a Popper task folder into the DuckDB file ``out_path`` (created if missing).

    One transaction: on any error a new file is removed and an existing one left as it was.
    Refuses (UsageError) if ``out_path`` already holds a table the import would create."""
    with _no_gc():
        return _import(Path(task_dir), Path(out_path), Phases(reporter))


def import_aleph(task_dir: str | Path, out_path: str | Path, reporter: Reporter | None = None) -> ImportReport:
    """Read an Aleph task folder (``NAME.b`` background, ``NAME.f`` positive and
    ``NAME.n`` negative examples) into ``out_path``, as :func:`import_popper` does.
    Mode declarations and settings are directives: counted, not used."""
    with _no_gc():
        return _import(Path(task_dir), Path(out_path), Phases(reporter), aleph=True)


def _aleph_files(d: Path) -> tuple[Path, Path, Path | None]:
    bs = sorted(d.glob("*.b"))
    if len(bs) != 1:
        raise SourceError(f"{d} holds {len(bs)} .b files; an Aleph task folder holds one NAME.b with NAME.f "
                          "(and optionally NAME.n)")
    f, n = bs[0].with_suffix(".f"), bs[0].with_suffix(".n")
    if not f.is_file():
        raise SourceError(f"{f} is missing; an Aleph task holds NAME.b, NAME.f and optionally NAME.n")
    return bs[0], f, n if n.is_file() else None


def _wrap(read: Read, kind: str) -> list[Clause]:
    """Aleph example facts ``p(a).`` as Popper's ``pos(p(a)).`` / ``neg(p(a)).``."""
    return [Clause(Struct(kind, (c.term,)), c.line) for c in read.clauses]


def _import(d: Path, out: Path, ph: Phases, aleph: bool = False) -> ImportReport:
    if not d.is_dir():
        what = "NAME.b, NAME.f and NAME.n" if aleph else "bk.pl and exs.pl"
        raise UsageError(f"task folder {str(d)!r} does not exist; give a folder holding {what}")
    rep = ImportReport(str(d), str(out))
    if aleph:
        b, f, n = _aleph_files(d)
        with ph.phase("parse"):
            bk, pos = _read(b), _read(f)
            neg = _read(n) if n is not None else Read([])
        exs = Read(_wrap(pos, "pos") + _wrap(neg, "neg"), pos.directives + neg.directives)
        bias_read = None
        rep.notes.append(f"Aleph task: {len(pos.clauses)} positive, {len(neg.clauses)} negative examples; "
                         "mode declarations are not used (ruledisc infers joins from the tables)")
    else:
        for name in ("bk.pl", "exs.pl"):
            if not (d / name).is_file():
                raise SourceError(f"{d / name} is missing; a Popper task folder holds bk.pl, exs.pl and bias.pl")
        with ph.phase("parse"):
            bk, exs = _read(d / "bk.pl"), _read(d / "exs.pl")
            bias_read = _read(d / "bias.pl", lenient=True) if (d / "bias.pl").is_file() else None
    rep.directives = bk.directives + exs.directives
    if bias_read is None:
        if not aleph:
            rep.notes.append("no bias.pl: every bk table is offered as background")
    else:
        rep.bias = read_bias(bias_read.clauses)
        if bias_read.unreadable:
            rep.notes.append(f"bias.pl: {len(bias_read.unreadable)} clause(s) in ASP syntax not read")
    plan = _plan(bk.clauses, exs.clauses, rep)
    with ph.phase("write"):
        _write_db(out, plan, rep)
    rep.skipped.sort(key=lambda s: s.item.startswith("examples"))
    _suggest(rep, plan)
    ph.total()
    rep.timings = dict(ph.timings)
    return rep


@dataclass
class _Plan:
    preds: dict[tuple[str, int], _Pred]
    types: dict[tuple[str, int], list[str]]          # fact / example columns
    examples: dict[tuple[str, int], dict[str, list[tuple[Value, ...]]]]   # pos / neg rows
    example_tables: dict[tuple[str, int], str]

    def tables(self) -> list[tuple[str, str]]:
        """(table, what it holds) for every table the import may create."""
        out = [(p.table, p.key) for p in self.preds.values() if p.bad is None]
        for k, base in self.example_tables.items():
            out += [(base + s, f"examples {k[0]}/{k[1]}") for s in ("", "_neg") if s == "" or self.examples[k]["neg"]]
        return out


def _plan(bk: list[Clause], exs: list[Clause], rep: ImportReport) -> _Plan:
    """Everything decided before the database is touched: names, rows, types."""
    preds = _group_bk(bk, rep.skipped)
    ex_terms = _examples(exs)
    names = _name_tables(list(preds))
    for k, p in preds.items():
        p.table = names[k]
    bk_names = {p.name for p in preds.values()}
    clash = sorted({n for n, _ in ex_terms} & bk_names)
    if clash:
        raise DataError(f"example predicate {clash[0]!r} is also defined in bk.pl; a target must not be "
                        "background knowledge (rename it in exs.pl)")
    ex_names = _name_tables(list(ex_terms))
    examples: dict[tuple[str, int], dict[str, list[tuple[Value, ...]]]] = {}
    for k, sides in ex_terms.items():
        rows = {s: [tuple(_value(a) for a in t.args) for t in ts] for s, ts in sides.items()}
        bad = next((t.args[r.index(None)] for s in rows for t, r in zip(sides[s], rows[s]) if None in r), None)
        if bad is not None:
            rep.skipped.append(Skipped(f"examples {k[0]}/{k[1]}", f"{_why_not_value(bad)}; "
                                       "ruledisc learns over constants only"))
            continue
        examples[k] = rows
        both = set(rows["pos"]) & set(rows["neg"])
        if both:
            rep.notes.append(f"{len(both)} example(s) of {k[0]}/{k[1]} are both pos and neg")
    plan = _Plan(preds, _column_types(preds, examples, rep.bias or PopperBias()), examples,
                 {k: ex_names[k] for k in examples})
    taken: dict[str, str] = {}
    for tname, what in plan.tables():
        if tname.lower() in taken:  # DuckDB matches names case-insensitively
            raise DataError(f"{what} and {taken[tname.lower()]} would both be table {tname!r}")
        taken[tname.lower()] = what
    return plan


def _column_types(preds: dict[tuple[str, int], _Pred], examples: dict, bias: PopperBias) \
        -> dict[tuple[str, int], list[str]]:
    """Per column from its values; columns of one Popper ``type`` share the widest SQL type."""
    own: dict[tuple[str, int], list[str]] = {}
    for k, p in preds.items():
        if p.bad is None and p.facts:
            own[k] = [sql_type(col) for col in zip(*p.facts)]
    for k, rows in examples.items():
        both = rows["pos"] + rows["neg"]
        own[k] = [sql_type(col) for col in zip(*both)]
    by_type: dict[str, list[str]] = {}
    for k, ts in own.items():
        for name, t in zip(bias.types.get(k, ()), ts):
            by_type.setdefault(name, []).append(t)
    out = {}
    for k, ts in own.items():
        names = bias.types.get(k, ())
        out[k] = [unify_types(by_type[names[i]] if i < len(names) else [t]) for i, t in enumerate(ts)]
    return out


def _existing_tables(eng: Engine) -> set[str]:
    q = (exp.select("table_name").from_("information_schema.tables")
         .where("table_schema = 'main' AND table_catalog = current_database()"))
    return {r[0].lower() for r in eng.rows(q)}


def _write_db(out: Path, plan: _Plan, rep: ImportReport) -> None:
    """Open or create ``out``, refuse clashing names, write everything in one transaction."""
    with import_target(out) as eng:
        existing = _existing_tables(eng)
        busy = sorted(t for t, _ in plan.tables() if t.lower() in existing)
        if busy:
            raise UsageError(f"{out} already has table(s) {', '.join(busy)}; import into a new file")
        with eng.transaction():
            _write_all(eng, plan, rep)


def _write_all(eng: Engine, plan: _Plan, rep: ImportReport) -> None:
    """Fact tables, then derived tables stratum by stratum, then the example tables."""
    cat = Catalog({})
    tables = {k: p.table for k, p in plan.preds.items()}
    for p in plan.preds.values():
        if p.bad is None and not p.rules:
            types = plan.types[(p.name, p.arity)]
            n = _write(eng, p.table, types, p.facts)
            _register(cat, p.table, types)
            rep.tables.append(TableInfo(p.table, p.key, "facts", n, [(f"a{i}", t) for i, t in enumerate(types)]))
    for p in _strata(plan.preds):
        if p.bad is None:
            _derive(eng, cat, p, plan, tables, rep)
    rep.skipped += [Skipped(p.key, p.bad) for p in plan.preds.values() if p.bad]
    for k, rows in plan.examples.items():
        types, base = plan.types[k], plan.example_tables[k]
        for side, suffix, kind in (("pos", "", "positives"), ("neg", "_neg", "negatives")):
            if side == "neg" and not rows["neg"]:
                continue
            n = _write(eng, base + suffix, types, rows[side])
            rep.tables.append(TableInfo(base + suffix, f"{k[0]}/{k[1]}", kind, n,
                                        [(f"a{i}", t) for i, t in enumerate(types)]))


def _derive(eng: Engine, cat: Catalog, p: _Pred, plan: _Plan, tables: dict[tuple[str, int], str],
            rep: ImportReport) -> None:
    """Evaluate one predicate's rules (and facts) to its least fixpoint, stored as a table.
    Sets ``p.bad`` instead when the rules are not Datalog."""
    rules = []
    for c in p.rules:
        for g in _flat(c.body, ","):
            dep = plan.preds.get((g.name, len(g.args))) if isinstance(g, Struct) else None
            if dep is not None and dep is not p and dep.table not in cat.predicates:
                p.bad = f"bk.pl:{c.line}: depends on {dep.key}, which was skipped"
                return
        try:
            rules.append(to_datalog(c, tables))
        except NotDatalog as err:
            p.bad = f"bk.pl:{c.line}: not Datalog: {err}"
            return
    try:
        types = _derived_types(cat, p, rules, plan.types.get((p.name, p.arity)) if p.facts else None)
    except NotDatalog as err:
        p.bad = f"bk.pl:{p.rules[0].line}: {err}"
        return
    cols = list(cat.predicates[p.table].columns)
    facts = f"__rd_popper_facts__{p.table}"
    if p.facts:  # the facts come in as one more base rule
        _write(eng, facts, types, p.facts)
        _register(cat, facts, types)
        args = tuple(Var(f"A{i}") for i in range(p.arity))
        rules.append(Rule(Atom(p.table, args), (Atom(facts, args),)))
    eng.execute(create_table_as(p.table, fixpoint_query(rules, cat, cols, types)))
    if p.facts:
        eng.execute(exp.Drop(tables=[tab(facts)], kind="TABLE"))
        del cat.predicates[facts], cat.tables[facts]
    n = eng.scalar(exp.select(exp.func("count", exp.Star())).from_(tab(p.table)))
    rep.tables.append(TableInfo(p.table, p.key, "rules", int(n), list(zip(cols, types))))


def _derived_types(cat: Catalog, p: _Pred, rules: list[Rule], fact_types: list[str] | None) -> list[str]:
    """Column types of a derived predicate (registered in ``cat``): from its base
    rules and facts, then checked against every rule."""
    heads = [rule_types(r, cat) for r in rules if p.table not in {a.pred for a in r.body if isinstance(a, Atom)}]
    heads += [fact_types] if fact_types else []
    if not heads:
        raise NotDatalog("no base case: every rule reads the predicate itself")
    if any(len({_family(t) for t in ts}) > 1 for ts in zip(*heads)):
        raise NotDatalog("its rules derive values of different types in one argument")
    types = [unify_types(ts) for ts in zip(*heads)]
    _register(cat, p.table, types)
    try:
        for r in rules:
            rule_types(r, cat)
    except NotDatalog:
        del cat.predicates[p.table], cat.tables[p.table]
        raise
    return types


def _suggest(rep: ImportReport, plan: _Plan) -> None:
    """Targets and the ``ruledisc mine`` command for each."""
    made = {t.predicate: t.name for t in rep.tables if t.kind in ("facts", "rules")}
    b = rep.bias or PopperBias(recursion=True)
    background = [] if b.body_preds else list(made.values())
    for n, a in b.body_preds:
        key = f"{n}/{a}"
        if key in made:
            background.append(made[key])
        else:
            why = "skipped" if any(s.item == key for s in rep.skipped) else "no facts or rules in bk.pl"
            rep.notes.append(f"body_pred {key} left out of --background ({why})")
    max_body = b.max_body
    if max_body is not None and max_body > 6:
        rep.notes.append(f"max_body {max_body} clamped to 6, the most `ruledisc mine` accepts")
        max_body = 6
    max_vars = b.max_vars
    if max_vars is not None and max_vars > 10:
        rep.notes.append(f"max_vars {max_vars} clamped to 10, the most `ruledisc mine` accepts")
        max_vars = 10
    heads = {f"{n}/{a}" for n, a in b.head_preds}
    if not plan.example_tables:
        rep.notes.append("no target left to mine: every example predicate was skipped")
    for k, base in plan.example_tables.items():
        pred = f"{k[0]}/{k[1]}"
        if heads and pred not in heads:
            rep.notes.append(f"examples of {pred} are not a head_pred in bias.pl")
        if not plan.examples[k]["pos"]:
            rep.notes.append(f"{pred} has no pos examples; `ruledisc mine` needs some")
        neg = base + "_neg" if plan.examples[k]["neg"] else None
        cmd = ["ruledisc", "mine", rep.out_path, "--target", base]
        cmd += ["--negatives", neg] if neg else []
        cmd += ["--background", ",".join(background)] if background else []
        cmd += ["--max-body", str(max_body)] if max_body else []
        cmd += ["--max-vars", str(max_vars)] if max_vars else []
        cmd += [] if b.recursion else ["--recursion", "off"]
        cmd += ["--invention", "on"] if b.invention else []
        rep.targets.append(TargetInfo(pred, base, neg, len(plan.examples[k]["pos"]), len(plan.examples[k]["neg"]),
                                      background, " ".join(shlex.quote(c) for c in cmd)))
