"""What to learn: ``TABLE``, ``TABLE.COLUMN`` (boolean) or ``TABLE.COLUMN=VALUE``.

A target fixes the head (name, columns, argument domains) and the labelled
examples, materialised as the temp table ``rd_ex(c0.., label)``: label 1 for a
positive, 0 for an explicit negative. Under the closed world (a table target
without ``--negatives``) every derived head that is not positive is negative.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from .compile import temp_table, union_all
from .engine import Engine
from .errors import SchemaError, TargetError, UsageError
from .introspect import Catalog, col, family, tab
from .names import legacy_name, parse_spec, target_name
from .rule import Atom, Var, var_name

TABLE, BOOLEAN, CATEGORICAL = "table", "boolean", "categorical"
EXAMPLES = "rd_ex"     # every labelled example: exact scoring reads these
LEARN = "rd_learn"     # what the search and the learner read: the examples, or a weighted sample


@dataclass(frozen=True)
class Target:
    name: str
    kind: str
    table: str
    column: str | None
    value: str | None
    head_columns: tuple[str, ...]
    head_types: tuple[str, ...]
    domains: tuple[str | None, ...]
    negatives: str | None = None

    @property
    def arity(self) -> int:
        return len(self.head_columns)

    @property
    def legacy_name(self) -> str:
        """The name versions before 0.2 stored this target under."""
        return legacy_name(self.table, self.column, self.value)

    @property
    def closed_world(self) -> bool:
        return self.kind == TABLE and self.negatives is None

    def head_atom(self) -> Atom:
        return Atom(self.name, tuple(Var(var_name(i)) for i in range(self.arity)))

    def excluded(self, cat: Catalog) -> set[str]:
        """Predicates the body may not use: the target itself and what leaks it."""
        out = {target_name(self.table), self.name}
        if self.column:
            out.add(target_name(self.table, self.column))
        if self.negatives:
            out.add(target_name(self.negatives))
        return out

    def head_json(self) -> list[dict[str, str]]:
        return [{"name": n, "type": t} for n, t in zip(self.head_columns, self.head_types)]


def parse_target(spec: str, cat: Catalog, key: tuple[str, ...] | None = None,
                 negatives: str | None = None, labelled: bool = True) -> Target:
    """Resolve a target spec against the catalog; errors say what to do instead.
    ``labelled=False`` accepts a column target whose column is absent (new rows to score)."""
    if not isinstance(spec, str):
        raise UsageError(f"target must be a string such as 'TABLE', 'TABLE.COLUMN' or 'TABLE.COLUMN=VALUE', "
                         f"got {type(spec).__name__}")
    try:
        table, column, value = parse_spec(spec)
    except UsageError:
        if spec in cat.tables:   # a table name as written, dots and all
            return _table_target(spec, cat, negatives)
        raise
    if table not in cat.tables and spec in cat.tables:
        return _table_target(spec, cat, negatives)
    if column is None:
        if table in cat.tables:
            return _table_target(table, cat, negatives)
        raise SchemaError(f"unknown table {table!r} in --target (tables: {', '.join(sorted(cat.tables))}); "
                          'quote a name holding . or = in double quotes, e.g. t."a.b"')
    eq = value is not None
    t = cat.table(table)
    present = any(x.name == column for x in t.columns)
    c = t.column(column) if labelled or present else None
    if negatives is not None:
        raise UsageError("--negatives applies to TABLE targets; a column target labels its own negatives")
    keys = key or t.key
    if not keys:
        raise TargetError(f"table {table!r} has no primary key; pass --key COL[,COL...] to name the "
                          "columns that identify a row")
    for k in keys:
        t.column(k)
    if column in keys:
        raise TargetError(f"column {column!r} is part of the key of {table!r}; pick another column")
    if eq:
        if c is not None and c.family in ("float",):
            raise TargetError(f"column {table}.{column} is {c.type}; a categorical target needs a "
                              "text, integer, boolean or date column")
        name, kind = target_name(table, column, value), CATEGORICAL
    else:
        if c is not None and c.family not in ("bool", "int"):
            raise TargetError(f"column {table}.{column} is {c.type}, not boolean; use "
                              f"--target {table}.{column}=VALUE for one of its values")
        name, kind = target_name(table, column), BOOLEAN
    return Target(name, kind, table, column, value if eq else None, tuple(keys),
                  tuple(t.column(k).type for k in keys),
                  tuple(cat.domain(table, k) for k in keys))


def _table_target(table: str, cat: Catalog, negatives: str | None) -> Target:
    t = cat.tables[table]
    if negatives is not None:
        neg = cat.table(negatives)
        if len(neg.columns) != len(t.columns):
            raise TargetError(f"--negatives table {negatives!r} has {len(neg.columns)} columns, "
                              f"target {table!r} has {len(t.columns)}")
    return Target(target_name(table), TABLE, table, None, None, tuple(c.name for c in t.columns),
                  tuple(c.type for c in t.columns), tuple(cat.domain(table, c.name) for c in t.columns), negatives)


def _label_expr(target: Target, cat: Catalog) -> exp.Expr:
    c = col(target.column or "")
    if target.kind == BOOLEAN:
        if family(cat.tables[target.table].column(target.column or "").type) == "int":
            return exp.Case().when(exp.EQ(this=c, expression=exp.Literal.number(1)), exp.Literal.number(1)) \
                .when(exp.EQ(this=c.copy(), expression=exp.Literal.number(0)), exp.Literal.number(0))
        return exp.cast(c, "INTEGER")
    return exp.cast(exp.EQ(this=exp.cast(c, "VARCHAR"), expression=exp.Literal.string(target.value or "")),
                    "INTEGER")


def examples_select(target: Target, cat: Catalog) -> exp.Select:
    """``SELECT DISTINCT c0.., label`` of the labelled examples (NULL labels dropped)."""
    if target.kind == TABLE:
        cols = [col(c).as_(f"c{i}") for i, c in enumerate(target.head_columns)]
        pos = exp.select(*cols, exp.Literal.number(1).as_("label")).distinct().from_(tab(target.table))
        if target.negatives:
            ncols = [col(c.name).as_(f"c{i}") for i, c in enumerate(cat.tables[target.negatives].columns)]
            neg = exp.select(*ncols, exp.Literal.number(0).as_("label")).distinct() \
                .from_(tab(target.negatives))
            pos = exp.union(pos, neg, distinct=False)  # type: ignore[assignment]
        return exp.select("*").from_(pos.subquery("e"))
    cols = [col(c).as_(f"c{i}") for i, c in enumerate(target.head_columns)]
    return exp.select(*cols, _label_expr(target, cat).as_("label")).from_(tab(target.table)) \
        .where(col(target.column or "").is_(exp.null()).not_())


def materialise_examples(eng: Engine, target: Target, cat: Catalog) -> dict[str, int]:
    """Create temp table ``rd_ex``; check keys and positives. Returns label counts."""
    if target.kind != TABLE:
        keys = [col(k) for k in target.head_columns]
        any_null = exp.or_(*[k.copy().is_(exp.null()) for k in keys])
        n, nd, nulls = eng.rows(exp.select("count(*)", exp.func("count", exp.Distinct(expressions=[exp.Tuple(
            expressions=keys)])), exp.func("count_if", any_null)).from_(tab(target.table)))[0]
        if nulls:
            raise TargetError(f"key ({', '.join(target.head_columns)}) of {target.table!r} is NULL in {nulls} "
                              "rows; every row needs a key (pass --key with columns that are never NULL)")
        if n != nd:
            raise TargetError(f"key ({', '.join(target.head_columns)}) of {target.table!r} is not unique: "
                              f"{n - nd} duplicate rows; pass --key with columns that identify a row")
    _check_int_labels(eng, target, cat)   # 2s would otherwise drop out as unlabelled
    eng.execute(temp_table(EXAMPLES, examples_select(target, cat)))
    counts = dict(eng.rows(exp.select("label", "count(*)").from_(EXAMPLES).group_by("label")))
    n_pos, n_neg = counts.get(1, 0), counts.get(0, 0)
    if n_pos == 0:
        hint = "the table is empty" if target.kind == TABLE else "no row has that value"
        raise TargetError(f"target {target.name!r} has no positive examples ({hint})")
    if target.kind != TABLE and n_neg == 0:
        raise TargetError(f"target {target.name!r} has no negative examples; every labelled row is positive")
    if target.kind == TABLE and target.negatives:
        clash = eng.scalar(exp.select("count(*)").from_(
            exp.select(*[f"c{i}" for i in range(target.arity)]).from_(EXAMPLES)
            .group_by(*[f"c{i}" for i in range(target.arity)]).having("count(DISTINCT label) > 1")
            .subquery("x")))
        if clash:
            raise TargetError(f"{clash} rows are both in {target.table!r} and in --negatives "
                              f"{target.negatives!r}")
    counts = {"positives": n_pos, "negatives": n_neg}
    learning_sample(eng, target, counts, n_pos + n_neg, 0)   # every example; mining may sample
    return counts


def _check_int_labels(eng: Engine, target: Target, cat: Catalog) -> None:
    """An integer column as a boolean target must hold 0/1; say so instead of "no positives"."""
    if target.kind != BOOLEAN or family(cat.tables[target.table].column(target.column or "").type) != "int":
        return
    c = col(target.column or "")
    other = eng.scalar(exp.select(exp.func("count_if", exp.not_(c.copy().isin(0, 1)))).from_(tab(target.table))
                       .where(c.copy().is_(exp.null()).not_()))
    if other:
        raise TargetError(f"column {target.table}.{target.column} is an integer column whose values are not "
                          f"only 0 and 1 ({other} other rows); use --target {target.name}=VALUE for one value")


def learning_sample(eng: Engine, target: Target, counts: dict[str, int], most: int, seed: int) -> dict[str, int]:
    """Create ``rd_learn(c0.., label, w)``: every example (w = 1), or, past ``most``
    labelled rows, a sample stratified by label (positives up to half of ``most``)
    weighted back to the full counts. Candidates are counted and rules learned on
    it; the extracted rules are re-scored exactly on every example. The closed
    world is never sampled (its unlabelled heads are negatives). Returns the kept
    counts."""
    cols = [exp.column(f"c{i}") for i in range(target.arity)]
    n_pos, n_neg = counts["positives"], counts["negatives"]
    if target.closed_world or n_pos + n_neg <= most:
        keep = {1: n_pos, 0: n_neg}
    else:
        kp = min(n_pos, most // 2)
        keep = {1: kp, 0: min(n_neg, most - kp)}
    parts = []
    for label, total in ((1, n_pos), (0, n_neg)):
        q = exp.select(*cols, "label", exp.cast(exp.Literal.number(total), "DOUBLE").as_("total")).from_(EXAMPLES) \
            .where(exp.EQ(this=exp.column("label"), expression=exp.Literal.number(label)))
        if keep[label] < total:
            h = exp.Mod(this=exp.func("hash", *[c.copy() for c in cols], exp.Literal.number(seed)),
                        expression=exp.Literal.number(1_000_003))
            q = q.where(exp.LT(this=h, expression=exp.Literal.number(int(1_000_003 * keep[label] / total) + 1)))
        parts.append(q)
    kept = exp.Window(this=exp.Count(this=exp.Star()), partition_by=[exp.column("label")])
    sample = exp.select(*[c.copy() for c in cols], "label", exp.Div(this=exp.column("total"), expression=kept)
                        .as_("w")).from_(union_all(parts).subquery("s", copy=False))
    eng.execute(temp_table(LEARN, sample))
    got = dict(eng.rows(exp.select("label", "count(*)").from_(LEARN).group_by("label")))
    return {"positives": int(got.get(1, 0)), "negatives": int(got.get(0, 0))}


def label_universe(eng: Engine, target: Target, cat: Catalog, labelled: int) -> int:
    """How many training labels there are: under the closed world every atom over
    the head's argument domains is labelled (product of the domains' distinct
    values, each domain the union of its columns); otherwise ``labelled``."""
    if not target.closed_world:
        return labelled
    total = 1
    for c, d in zip(target.head_columns, target.domains):
        cols = sorted(k for k, v in cat.domains.items() if v == d and k[0] in cat.tables) if d else []
        cols = cols or [(target.table, c)]
        union = union_all([exp.select(col(cc).as_("v")).from_(tab(t)) for t, cc in cols])
        total *= int(eng.scalar(exp.select(exp.func("count", exp.Distinct(expressions=[exp.column("v")])))
                                .from_(union.subquery("u", copy=False))))
    return max(total, labelled)
