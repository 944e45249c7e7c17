"""``ruledisc`` command line: thin commands over the library, one error handler.

Errors print one line ``error: ...`` on stderr (exit 2 usage, 1 data); ``--debug``
shows the traceback. Machine-readable output goes to stdout with ``--json``.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import typer

from .errors import RulediscError
from .progress import RichReporter, Silent

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Discover the rules that explain a table or a column, and keep them as SQL views.")
_state = {"debug": False}


def _fail(message: str, code: int) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def handled(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn ruledisc errors (and surprises) into one stderr line and an exit code."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except RulediscError as err:
            if _state["debug"]:
                traceback.print_exc()
            _fail(str(err), err.exit_code)
        except KeyboardInterrupt:
            _fail("interrupted; the database is unchanged", 130)
        except Exception as err:  # noqa: BLE001 - the contract is: no traceback without --debug
            if _state["debug"]:
                traceback.print_exc()
            _fail(f"internal error: {type(err).__name__}: {err} (rerun with --debug for the traceback)", 1)

    return wrapper


@app.callback()
def main(debug: bool = typer.Option(False, "--debug", help="Show tracebacks on errors.")) -> None:
    _state["debug"] = debug


def _reporter(quiet: bool) -> Any:
    return Silent() if quiet or not sys.stderr.isatty() else RichReporter()


@app.command("mine")
@handled
def mine_cmd(
    db: str = typer.Argument(..., help="DuckDB file, .sql script, or folder of .parquet/.csv files."),
    target: str | None = typer.Option(None, "--target", "-t", help="TABLE, TABLE.COLUMN or TABLE.COLUMN=VALUE."),
    all_relations: bool = typer.Option(False, "--all-relations",
                                       help="Every relation of a graph imported by `import-kg`, in one run: "
                                            "path rules (up to --max-body steps) and constant rules."),
    max_body: int = typer.Option(3, "--max-body", help="Body literals per rule (path steps with --all-relations)."),
    tnorm: str = typer.Option("product", "--tnorm", help="product, lukasiewicz or godel."),
    epochs: int = typer.Option(300, "--epochs", help="Training epochs."),
    seed: int = typer.Option(0, "--seed", help="Random seed."),
    out: Path | None = typer.Option(None, "--out", help="Write the result as JSON to this file."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON on stdout only."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Learn and print; write nothing to DB."),
    schema: str = typer.Option("ruledisc", "--schema", help="Schema for rules and views."),
    negatives: str | None = typer.Option(None, "--negatives", help="Table of negative examples."),
    key: str | None = typer.Option(None, "--key", help="Key column(s) of the target table, comma-separated."),
    background: str | None = typer.Option(None, "--background",
                                             help="Only these tables may appear in rule bodies (comma-separated)."),
    exclude: str | None = typer.Option(None, "--exclude", help="Tables never used in rule bodies."),
    min_support: int | None = typer.Option(None, "--min-support", help="Positives a rule must reach."),
    max_vars: int | None = typer.Option(None, "--max-vars", help="Distinct variables per rule "
                                        "(default: head arity + 2)."),
    recursion: str = typer.Option("auto", "--recursion",
                                  help="auto (when flat rules leave training errors), on or off."),
    invention: str = typer.Option("auto", "--invention",
                                  help="Invented predicates: auto (when the rules so far leave training "
                                       "errors), on or off."),
    noise: float = typer.Option(0.0, "--noise", help="Share of training labels expected to be wrong "
                                "(e.g. 0.1): rules must explain more labels than their literals cost."),
    max_examples: int = typer.Option(20_000, "--max-examples",
                                     help="Labelled rows the learner reads; past it, a weighted sample "
                                          "(rules are still scored on every row)."),
    min_confidence: float = typer.Option(0.01, "--min-confidence",
                                         help="--all-relations: least standard confidence of a kept rule."),
    max_rules: int = typer.Option(150, "--max-rules", help="--all-relations: rules kept per relation and shape "
                                  "(path, constant)."),
    memory_limit: str | None = typer.Option(None, "--memory-limit", help="--all-relations: DuckDB's memory limit "
                                            "(e.g. 6GB); past it, DuckDB spills to disk."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress display."),
) -> None:
    """Learn rules that explain TARGET (or, with --all-relations, every relation of a
    knowledge graph) from the rest of DB; print and store them."""
    if all_relations == (target is not None):
        _fail("give either --target TARGET or --all-relations", 2)
    if all_relations:
        from .kg_run import mine_all
        res_all = mine_all(db, _reporter(quiet or as_json), schema=schema, dry_run=dry_run, max_length=max_body,
                           min_support=2 if min_support is None else min_support, min_confidence=min_confidence,
                           max_rules=max_rules, seed=seed, memory_limit=memory_limit)
        _emit(res_all, out, as_json, _print_all)
        return
    from . import pipeline
    res = pipeline.mine(db, target, reporter=_reporter(quiet or as_json), max_body=max_body, tnorm=tnorm,
                        epochs=epochs, seed=seed, dry_run=dry_run, schema=schema, negatives=negatives,
                        key=key, background=background, exclude=exclude or (), min_support=min_support,
                        max_vars=max_vars, recursion=recursion, invention=invention, noise=noise,
                        max_examples=max_examples)
    _emit(res, out, as_json, _print_result)


def _emit(res: Any, out: Path | None, as_json: bool, show: Callable[[Any], None]) -> None:
    """``--out`` file, then JSON on stdout or the printed summary."""
    if out is not None:
        try:
            out.write_text(res.to_json() + "\n")
        except OSError as err:
            _fail(f"cannot write {out}: {err}", 1)
    if as_json:
        typer.echo(res.to_json())
        return
    show(res)


def _print_all(res: Any) -> None:
    from rich.console import Console
    from rich.table import Table
    con = Console()
    tab = Table(title="rules per relation (best by weight)")
    for c in ("relation", "rules", "best rule", "conf", "pca", "support"):
        tab.add_column(c, overflow="fold", justify="left" if c in ("relation", "best rule") else "right")
    for m in res.results:
        best = max(m.rules, key=lambda r: r.weight) if m.rules else None
        tab.add_row(m.target, str(len(m.rules)), best.text if best else "", f"{best.confidence:.3f}" if best else "",
                    f"{best.pca_confidence:.3f}" if best else "", str(best.support) if best else "")
    con.print(tab)
    con.print(f"{len(res.rules)} rules for {len(res.results)} relations ({res.timings.get('total_s', 0):.2f}s)",
              highlight=False)
    views = [v for m in res.results for v in m.views]
    if views:
        con.print(f"views: {len(views)} in {views[0].split('.')[0]} (one per relation holding all its rules, "
                  "one per rule for the best of each)", highlight=False)


def _print_result(res: Any) -> None:
    from rich.console import Console
    from rich.table import Table
    con = Console()
    if not res.rules:
        con.print(f"no rules found for {res.target} (f1 0.0); try --max-body, --min-support or more data")
    tab = Table(title=f"rules for {res.head}", show_lines=False)
    for c in ("#", "rule", "weight", "support", "conf", "recall"):
        tab.add_column(c, justify="right" if c not in ("rule",) else "left", overflow="fold")
    for i, r in enumerate(res.rules, start=1):
        tab.add_row(str(i), r.text, f"{r.weight:.3f}", str(r.support), f"{r.confidence:.3f}", f"{r.recall:.3f}")
    if res.rules:
        con.print(tab)
    for inv in res.invented:
        con.print(f"invented {inv.name} ({inv.facts} facts on the training data):", highlight=False)
        for r in inv.rules:
            con.print(f"  {r.text()}", highlight=False, soft_wrap=True)
    m = res.metrics
    con.print(f"program: precision {m['precision']:.3f}  recall {m['recall']:.3f}  f1 {m['f1']:.3f}"
              f"   ({res.timings.get('total_s', 0):.2f}s)", highlight=False)
    errors = res.info.get("training_errors")
    if errors:
        con.print(f"the program disagrees with {errors} training label(s)", highlight=False)
    if res.views:
        con.print(f"views: {', '.join(res.views)}", highlight=False)


@app.command("rules")
@handled
def rules_cmd(
    db: str = typer.Argument(..., help="Database holding mined rules."),
    target: str | None = typer.Option(None, "--target", "-t", help="Only this target's rules."),
    schema: str = typer.Option("ruledisc", "--schema"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """List the stored rules with their metrics."""
    from . import pipeline
    df = pipeline.stored_rules(db, target, schema)
    if as_json:
        typer.echo(json.dumps(df.to_dicts(), default=str, indent=2))
        return
    from rich.console import Console
    from rich.table import Table
    tab = Table()
    for c in ("target", "#", "rule", "weight", "support", "conf", "precision", "recall"):
        tab.add_column(c, overflow="fold")
    for r in df.iter_rows(named=True):
        f = lambda v: "" if v is None else f"{v:.3f}"
        tab.add_row(r["target"], str(r["rule_no"]), r["rule_text"], f(r["weight"]),
                    "" if r["support"] is None else str(r["support"]), f(r["confidence"]), f(r["precision"]),
                    f(r["recall"]))
    Console().print(tab)


@app.command("apply")
@handled
def apply_cmd(
    rules: Path = typer.Argument(..., help="Rules file: JSON from `mine --out`, or a .dl Datalog file."),
    db: str = typer.Argument(..., help="DuckDB file to write views into (created if missing)."),
    schema: str = typer.Option("ruledisc", "--schema"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Compile a rules file into views in DB."""
    from . import pipeline
    views = pipeline.apply(rules, db, schema=schema)
    if as_json:
        typer.echo(json.dumps({"views": views}))
    else:
        typer.echo(f"created {len(views)} views: {', '.join(views)}")


@app.command("eval")
@handled
def eval_cmd(
    db: str = typer.Argument(..., help="Database with the target's labels."),
    target: str | None = typer.Option(None, "--target", "-t"),
    ranking: bool = typer.Option(False, "--ranking", help="Knowledge graph: answer (h, r, ?) and (?, r, t) for each "
                                 "triple of --split; filtered MRR and Hits@k."),
    split: str = typer.Option("test", "--split", help="--ranking: train, valid or test."),
    train_queries: int = typer.Option(4000, "--train-queries",
                                      help="--ranking: training queries the learned aggregation is fitted on."),
    rules: Path | None = typer.Option(None, "--rules", help="Rules file; default: the stored rules."),
    schema: str = typer.Option("ruledisc", "--schema"),
    key: str | None = typer.Option(None, "--key"),
    negatives: str | None = typer.Option(None, "--negatives"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Score rules against the labels in DB: precision, recall, F1 (with --ranking: filtered
    MRR and Hits@1/3/10 of the stored knowledge-graph rules)."""
    if ranking == (target is not None):
        _fail("give either --target TARGET or --ranking", 2)
    if ranking:
        from .kg_run import rank_eval
        rep = rank_eval(db, split, _reporter(as_json), schema=schema, train_queries=train_queries)
        if as_json:
            typer.echo(json.dumps(rep, indent=2))
            return
        _print_ranking(rep)
        return
    from . import pipeline
    res = pipeline.evaluate(db, target, rules, schema, key, negatives)
    if as_json:
        typer.echo(json.dumps(res, indent=2))
        return
    typer.echo(f"{res['target']}: {res['rules']} rules  precision {res['precision']:.4f}  "
               f"recall {res['recall']:.4f}  f1 {res['f1']:.4f}  (tp {res['true_positives']}, "
               f"fp {res['false_positives']}, fn {res['false_negatives']})")


def _print_ranking(rep: dict[str, Any]) -> None:
    typer.echo(f"{rep['split']}: {rep['queries']} queries, {rep['rules']} rules, {rep['entities']} entities "
               f"(filtered, ties at mean position; {rep['timings'].get('total_s', 0):.2f}s)")
    typer.echo(f"  {'aggregation':<12} {'MRR':>7} {'Hits@1':>7} {'Hits@3':>7} {'Hits@10':>7}")
    for name, m in rep["aggregations"].items():
        typer.echo(f"  {name:<12} {m['mrr']:>7.4f} {m['hits@1']:>7.4f} {m['hits@3']:>7.4f} {m['hits@10']:>7.4f}")


def _report(rep: Any, as_json: bool) -> None:
    """An import report: JSON on stdout, or its summary with the next command to run."""
    typer.echo(json.dumps(rep.to_dict(), indent=2) if as_json else rep.summary())


@app.command("import-popper")
@handled
def import_popper_cmd(
    task_dir: Path = typer.Argument(..., help="Popper task folder: bk.pl, exs.pl and (optional) bias.pl."),
    out: Path = typer.Argument(..., help="DuckDB file to write the tables into (created if missing)."),
    as_json: bool = typer.Option(False, "--json", help="Print the import report as JSON on stdout only."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress display."),
) -> None:
    """Import a Popper ILP task into DuckDB tables, then print the `ruledisc mine` command to run."""
    from .popper import import_popper
    _report(import_popper(task_dir, out, reporter=_reporter(quiet or as_json)), as_json)


@app.command("explain")
@handled
def explain_cmd(
    db: str = typer.Argument(..., help="DuckDB file, .sql script, or folder of .parquet/.csv files."),
    target: str = typer.Option(..., "--target", "-t", help="TABLE, TABLE.COLUMN or TABLE.COLUMN=VALUE."),
    fact: str | None = typer.Option(None, "--fact", help="A ground atom of a table target: 'grandmother(ann, bob)'."),
    key: str | None = typer.Option(None, "--key", help="The row's key value(s), comma-separated (column targets)."),
    key_columns: str | None = typer.Option(None, "--key-columns",
                                           help="Key column(s) of the target table if it declares none."),
    rules: Path | None = typer.Option(None, "--rules", help="Rules file (JSON or .dl); default: the stored rules."),
    schema: str = typer.Option("ruledisc", "--schema", help="Schema of the stored rules."),
    as_json: bool = typer.Option(False, "--json", help="Print the explanation as JSON on stdout only."),
) -> None:
    """Explain one prediction: the rules that fire, their weights and the rows they used;
    for a fact no rule derives, the rule that came closest and the literal that failed."""
    from .explain import explain
    cols = tuple(c.strip() for c in key_columns.split(",") if c.strip()) if key_columns else None
    ex = explain(db, target, fact=fact, key=key, rules=rules, schema=schema, key_columns=cols)
    typer.echo(json.dumps(ex.to_dict(), indent=2, default=str) if as_json else ex.text())


@app.command("import-aleph")
@handled
def import_aleph_cmd(
    task_dir: Path = typer.Argument(..., help="Aleph task folder: NAME.b, NAME.f and (optional) NAME.n."),
    out: Path = typer.Argument(..., help="DuckDB file to write the tables into (created if missing)."),
    as_json: bool = typer.Option(False, "--json", help="Print the import report as JSON on stdout only."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress display."),
) -> None:
    """Import an Aleph ILP task into DuckDB tables, then print the `ruledisc mine` command to run."""
    from .popper import import_aleph
    _report(import_aleph(task_dir, out, reporter=_reporter(quiet or as_json)), as_json)


@app.command("import-kg")
@handled
def import_kg_cmd(
    kg_dir: Path = typer.Argument(..., help="Folder of head<TAB>relation<TAB>tail files: facts.txt, train.txt, "
                                  "valid.txt, test.txt (optional entities.txt, relations.txt)."),
    out: Path = typer.Argument(..., help="DuckDB file to write into (created if missing)."),
    as_json: bool = typer.Option(False, "--json", help="Print the import report as JSON on stdout only."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress display."),
) -> None:
    """Import a knowledge graph: integer ids, one facts table with a split column, a view per relation."""
    from .kg import import_kg
    _report(import_kg(kg_dir, out, reporter=_reporter(quiet or as_json)), as_json)


def run() -> None:
    app()


if __name__ == "__main__":
    run()
