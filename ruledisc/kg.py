"""``ruledisc import-kg``: a knowledge graph of ``head<TAB>relation<TAB>tail`` files into DuckDB.

Layout written (one transaction; a new file is removed on error):

- ``kg.entities(id, name)`` and ``kg.relations(id, name)``: integer ids, in the order of
  ``entities.txt`` / ``relations.txt`` when given, then the other names alphabetically;
- ``kg.facts(h, r, t, split)``: every distinct triple of ``facts.txt``, ``train.txt``,
  ``valid.txt``, ``test.txt`` (split ``facts``, ``train``, ``valid``, ``test``);
- one view per relation in ``main``, ``rel(h, t)``, over the background splits only
  (``facts`` and ``train``): the relations are ordinary predicates for ``mine``, and the
  held-out triples stay out of every rule body.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlglot import exp

from .arguments import need_path
from .engine import Engine
from .errors import DataError, SourceError, UsageError
from .progress import Phases, Reporter
from .source import import_target, literal_path

SCHEMA = "kg"
SPLITS = ("facts", "train", "valid", "test")
BACKGROUND = ("facts", "train")


@dataclass
class RelationInfo:
    name: str
    id: int
    background: int   # triples in facts + train
    held_out: int     # triples in valid + test


@dataclass
class KgReport:
    kg_dir: str
    out_path: str
    entities: int = 0
    splits: dict[str, int] = field(default_factory=dict)
    relations: list[RelationInfo] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["commands"] = self.commands
        return d

    @property
    def commands(self) -> list[str]:
        first = self.relations[0].name if self.relations else "REL"
        return [f"ruledisc mine {self.out_path} --target {first}"]

    def summary(self) -> str:
        lines = [f"imported {self.kg_dir} into {self.out_path} ({self.timings.get('total_s', 0):.2f}s)",
                 f"  {self.entities} entities, {len(self.relations)} relations; triples: "
                 + ", ".join(f"{k} {v}" for k, v in self.splits.items())]
        lines += [f"  {r.name:<28} {r.background:>9} background  {r.held_out:>8} held out" for r in self.relations]
        lines.append("next:")
        lines += [f"  {c}" for c in self.commands]
        return "\n".join(lines)


def _background(split: exp.Column) -> exp.In:
    """``split IN ('facts', 'train')``: the triples rule bodies may read."""
    return exp.In(this=split, expressions=[exp.Literal.string(s) for s in BACKGROUND])


def _q(name: str, schema: str = SCHEMA) -> exp.Table:
    return exp.table_(name, db=schema, quoted=True)


def _lines(path: Path, split: str) -> exp.Select:
    """``SELECT h, r, t, split`` from one tab-separated file (every field text, no quoting)."""
    opts = {"delim": exp.Literal.string("\t"), "header": exp.false(), "quote": exp.Literal.string(""),
            "escape": exp.Literal.string(""), "null_padding": exp.true(), "auto_detect": exp.false()}
    cols = exp.Struct(expressions=[exp.PropertyEQ(this=exp.to_identifier(c), expression=exp.Literal.string("VARCHAR"))
                                   for c in ("h", "r", "t")])
    args = [exp.EQ(this=exp.column(k), expression=v) for k, v in opts.items()]
    args.append(exp.EQ(this=exp.column("columns", quoted=True), expression=cols))
    src = exp.Table(this=exp.ReadCSV(this=exp.Literal.string(literal_path(path)), expressions=args))
    return exp.select("h", "r", "t", exp.Literal.string(split).as_("split")).from_(src)


def _listed(eng: Engine, path: Path, table: str) -> exp.Select:
    """``SELECT name, ord`` of a one-name-a-line file, in file order (written through arrow:
    SQL scans promise no row order)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise SourceError(f"cannot read {path}: {err}; give one UTF-8 name a line") from err
    names = [ln.rstrip("\r") for ln in text.split("\n") if ln.strip()]
    frame = pa.table({"name": pa.array(names, pa.string()), "ord": pa.array(range(len(names)), pa.int64())})
    eng.con.register("rd_kg_frame", frame)
    try:
        eng.execute(exp.Create(this=exp.to_table(table), kind="TABLE", replace=True,
                               properties=exp.Properties(expressions=[exp.TemporaryProperty()]),
                               expression=exp.select("name", "ord").from_("rd_kg_frame")))
    finally:
        eng.con.unregister("rd_kg_frame")
    return exp.select("name", "ord").from_(table)


def _ids(listed: exp.Select | None, used: list[exp.Select]) -> exp.Select:
    """Names numbered 0.. in the order of ``listed`` (if any), then the others by name."""
    big = exp.Literal.number(1 << 60)
    parts: list[exp.Select] = [listed] if listed is not None else []
    parts += [exp.select(exp.column("x").as_("name"), big.copy().as_("ord")).from_(q.subquery("u")) for q in used]
    u = parts[0]
    for p in parts[1:]:
        u = exp.union(u, p, distinct=False)
    first = exp.select("name", exp.Min(this=exp.column("ord")).as_("ord")).from_(u.subquery("n")) \
        .where(exp.Not(this=exp.Is(this=exp.column("name"), expression=exp.Null()))).group_by("name")
    num = exp.Window(this=exp.RowNumber(), over="OVER", order=exp.Order(expressions=[
        exp.Ordered(this=exp.column("ord")), exp.Ordered(this=exp.column("name"))]))
    return exp.select(exp.cast(exp.Sub(this=num, expression=exp.Literal.number(1)), "INTEGER").as_("id"), "name") \
        .from_(first.subquery("f"))


def import_kg(kg_dir: str | Path, out_path: str | Path, reporter: Reporter | None = None) -> KgReport:
    """Read ``facts.txt``/``train.txt``/``valid.txt``/``test.txt`` (and optional
    ``entities.txt``/``relations.txt``) from ``kg_dir`` into the DuckDB file ``out_path``."""
    d, out = Path(need_path("kg_dir", kg_dir)), Path(need_path("out_path", out_path))
    if not d.is_dir():
        raise UsageError(f"knowledge-graph folder {str(d)!r} does not exist; give a folder holding "
                         "facts.txt, train.txt, valid.txt and test.txt")
    files = {s: d / f"{s}.txt" for s in SPLITS if (d / f"{s}.txt").is_file()}
    if not files:
        raise SourceError(f"{d} holds none of facts.txt, train.txt, valid.txt, test.txt "
                          "(head<TAB>relation<TAB>tail lines)")
    if out.stem.lower() == SCHEMA:
        raise UsageError(f"{out}: DuckDB names a file's catalog after the file, and a catalog {SCHEMA!r} "
                         f"cannot be told apart from the graph's schema {SCHEMA!r}; name the file otherwise "
                         "(e.g. graph.duckdb)")
    ph = Phases(reporter)
    rep = KgReport(str(d), str(out))
    with import_target(out) as eng:
        busy = eng.scalar(exp.select(exp.func("count", exp.Star())).from_("information_schema.schemata")
                          .where(exp.EQ(this=exp.column("schema_name"), expression=exp.Literal.string(SCHEMA))))
        if busy:
            raise UsageError(f"{out} already holds a schema {SCHEMA!r}; import into a new file")
        with eng.transaction(), ph.phase("write"):
            _write(eng, d, files, rep)
    ph.total()
    rep.timings = dict(ph.timings)
    return rep


def _write(eng: Engine, d: Path, files: dict[str, Path], rep: KgReport) -> None:
    eng.execute(exp.Create(this=exp.to_identifier(SCHEMA, quoted=True), kind="SCHEMA"))
    raw = _q("raw")
    parts = [_lines(p, s) for s, p in files.items()]
    u = parts[0]
    for p in parts[1:]:
        u = exp.union(u, p, distinct=False)
    try:
        eng.execute(exp.Create(this=raw, kind="TABLE", expression=u))
    except DataError as err:
        raise DataError(f"cannot read the triples in {d}: {err}; each line must be head<TAB>relation<TAB>tail") \
            from err
    bad = eng.rows(exp.select("split", exp.func("count", exp.Star())).from_(raw).where(exp.or_(
        exp.Is(this=exp.column("h"), expression=exp.Null()), exp.Is(this=exp.column("r"), expression=exp.Null()),
        exp.Is(this=exp.column("t"), expression=exp.Null()))).group_by("split"))
    if bad:
        where = ", ".join(f"{n} in {s}.txt" for s, n in bad)
        raise DataError(f"{where} line(s) lack a field; each line must be head<TAB>relation<TAB>tail")
    ents = [exp.select(exp.column(c).as_("x")).from_(raw) for c in ("h", "t")]
    rels = [exp.select(exp.column("r").as_("x")).from_(raw)]
    for kind, used in (("entities", ents), ("relations", rels)):
        path = d / f"{kind}.txt"
        listed = _listed(eng, path, f"rd_kg_{kind}") if path.is_file() else None
        eng.execute(exp.Create(this=_q(kind), kind="TABLE", expression=_ids(listed, used)))
    facts = exp.select(exp.column("id", "eh").as_("h"), exp.column("id", "rr").as_("r"),
                       exp.column("id", "et").as_("t"), exp.column("split", "w")).distinct() \
        .from_(raw.as_("w")) \
        .join(_q("entities").as_("eh"), on=exp.EQ(this=exp.column("name", "eh"), expression=exp.column("h", "w"))) \
        .join(_q("relations").as_("rr"), on=exp.EQ(this=exp.column("name", "rr"), expression=exp.column("r", "w"))) \
        .join(_q("entities").as_("et"), on=exp.EQ(this=exp.column("name", "et"), expression=exp.column("t", "w")))
    eng.execute(exp.Create(this=_q("facts"), kind="TABLE", expression=facts.order_by("r", "h", "t")))
    eng.execute(exp.Drop(tables=[raw], kind="TABLE"))
    rep.entities = int(eng.scalar(exp.select(exp.func("count", exp.Star())).from_(_q("entities"))))
    rep.splits = {s: int(n) for s, n in eng.rows(exp.select("split", exp.func("count", exp.Star()))
                                                 .from_(_q("facts")).group_by("split"))}
    rep.splits = {s: rep.splits.get(s, 0) for s in files}
    in_bg = _background(exp.column("split", "f"))
    count = lambda cond: exp.Filter(this=exp.func("count", exp.column("h", "f")), expression=exp.Where(this=cond))
    per_relation = exp.select(exp.column("id", "r"), exp.column("name", "r"), count(in_bg).as_("bg"),
                              count(exp.Not(this=in_bg.copy())).as_("held")) \
        .from_(_q("relations").as_("r")).join(_q("facts").as_("f"), on=exp.EQ(
            this=exp.column("r", "f"), expression=exp.column("id", "r")), join_type="LEFT") \
        .group_by(exp.column("id", "r"), exp.column("name", "r")).order_by(exp.column("id", "r"))
    taken = {str(n).lower() for (n,) in eng.rows(exp.select("table_name").from_("information_schema.tables").where(
        exp.EQ(this=exp.column("table_schema"), expression=exp.Literal.string("main"))))}
    lower: dict[str, str] = {}
    for i, name, n_bg, n_held in eng.rows(per_relation):
        if name.lower() in taken:
            raise UsageError(f"the database already has a table or view {name!r} in main, the name of a relation "
                             "of the graph; import into a new file")
        if name.lower() in lower:
            raise DataError(f"relations {lower[name.lower()]!r} and {name!r} differ only in case; "
                            "SQL names ignore case, so each needs its own view name")
        lower[name.lower()] = name
        view = exp.select("h", "t").from_(_q("facts")).where(exp.and_(
            exp.EQ(this=exp.column("r"), expression=exp.Literal.number(i)), _background(exp.column("split"))))
        eng.execute(exp.Create(this=exp.table_(name, db="main", quoted=True), kind="VIEW", expression=view))
        rep.relations.append(RelationInfo(name, int(i), int(n_bg), int(n_held)))
