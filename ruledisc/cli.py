"""``ruledisc`` command line: thin commands over the library, one error handler.

Errors print one line ``error: ...`` on stderr (exit 2 usage, 1 data, 130 interrupted);
``--debug`` shows the traceback. Machine-readable output goes to stdout with ``--json``.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import traceback
from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path
from typing import Any, NoReturn

from .progress import (
    INTERRUPT_EXIT,
    RichReporter,
    Silent,
    install_interrupt_hook,
    interrupted,
    is_interrupt,
    new_command,
)

install_interrupt_hook()   # before typer and rich load: a Ctrl-C meanwhile is one line too

import typer  # noqa: E402
from typer.core import TyperGroup  # noqa: E402

from .errors import InternalError, RulediscError  # noqa: E402


def _command_line_error_classes() -> tuple[type[Exception], ...]:
    """What typer raises for a bad command line: older typer raises click's own
    exceptions, newer typer a vendored click's, all under ``typer.TyperException``."""
    classes = [getattr(typer, "TyperException", None)]
    try:
        from click.exceptions import ClickException
        classes.append(ClickException)
    except ImportError:
        pass
    return tuple(c for c in classes if c is not None)


_COMMAND_LINE_ERRORS = _command_line_error_classes()
USAGE_EXIT = 2


def _fail(message: str, code: int) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _command_line_message(err: Exception) -> str:
    """typer's (click's) parsing error as one line: what was wrong, then where the help is."""
    text = " ".join(err.format_message().split())          # type: ignore[attr-defined]
    text = re.sub(r"'(-{1,2}[\w-]+)'", r"\1", text)          # '--seed' -> --seed
    text = text[:1].lower() + text[1:].rstrip(".")
    got = _rejected_input(err)
    if got is not None:
        text += f" (got {got})"
    ctx = getattr(err, "ctx", None)
    where = ctx.command_path if ctx is not None else "ruledisc"
    return f"{text}; see `{where} --help`"


def _rejected_input(err: Exception) -> str | None:
    """The value typer's validation rejected (its message leaves it out), shortened."""
    errors = getattr(err.__cause__, "errors", None)
    try:
        value = errors()[0]["input"] if callable(errors) else None
    except (LookupError, TypeError, ValueError):
        return None
    if value is None:
        return None
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class _Group(TyperGroup):
    """typer's group with the CLI's error contract for its own parsing errors: one line
    ``error: ...`` and exit 2 instead of a boxed panel; a Ctrl-C is one line and exit 130."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True, **extra: Any) -> Any:
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            code = rv if isinstance(rv, int) else 0      # typer.Exit(code) comes back as its code
        except _COMMAND_LINE_ERRORS as err:
            code = _report_command_line_error(err)
        except typer.Abort:
            typer.echo("error: aborted", err=True)
            code = 1
        except KeyboardInterrupt:
            typer.echo(f"error: {interrupted()}", err=True)
            code = INTERRUPT_EXIT
        if not standalone_mode:
            return code
        sys.exit(code)

    # typer turns a Ctrl-C while it parses or runs a command into a silent exit 130: say why
    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)
        except KeyboardInterrupt:
            _fail(interrupted(), INTERRUPT_EXIT)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            _fail(interrupted(), INTERRUPT_EXIT)


def _report_command_line_error(err: Exception) -> int:
    if type(err).__name__ == "NoArgsIsHelpError":    # bare `ruledisc`: the help (typer may have printed it)
        help_text = err.format_message()               # type: ignore[attr-defined]
        if help_text.strip():
            typer.echo(help_text)
        return 0
    typer.echo(f"error: {_command_line_message(err)}", err=True)
    return int(getattr(err, "exit_code", USAGE_EXIT))


app = typer.Typer(name="ruledisc", cls=_Group, add_completion=False, no_args_is_help=True,
                  pretty_exceptions_enable=False,
                  help="Discover the rules that explain a table or a column, and keep them as SQL views.")
_state = {"debug": False}


def handled(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn ruledisc errors (and surprises) into one stderr line and an exit code."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        new_command()
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except KeyboardInterrupt:
            _fail(interrupted(), INTERRUPT_EXIT)
        except RulediscError as err:
            if is_interrupt(err):
                _fail(interrupted(), INTERRUPT_EXIT)
            if _state["debug"]:
                traceback.print_exc()
            _fail(str(err), err.exit_code)
        except Exception as err:  # noqa: BLE001 - the contract is: no traceback without --debug
            if is_interrupt(err):
                _fail(interrupted(), INTERRUPT_EXIT)
            if _state["debug"]:
                traceback.print_exc()
            first = str(err).splitlines()[0] if str(err) else ""
            _fail(f"internal error: {type(err).__name__}: {first} (a ruledisc bug; please report it with the "
                  "output of --debug)", InternalError.exit_code)

    return wrapper


@app.callback()
def main(debug: bool = typer.Option(False, "--debug", help="Show tracebacks on errors.")) -> None:
    _state["debug"] = debug


def _given(**options: Any) -> dict[str, Any]:
    """The options the user gave (not None): passed on as keywords, so the library's
    defaults (``MineOptions``, ``KgOptions``, ``rank_eval``) are the only ones."""
    return {name: value for name, value in options.items() if value is not None}


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _refuse(options: dict[str, Any], belongs_to: str, used_with: str) -> None:
    """Usage error if any of ``options`` was given: it does nothing in this mode."""
    given = [_flag(name) for name, value in options.items() if value is not None]
    if given:
        verb = "applies" if len(given) == 1 else "apply"
        _fail(f"{', '.join(given)} {verb} only to {belongs_to}, not with {used_with}; leave it out", USAGE_EXIT)


def _at_least(name: str, value: int | None, low: int) -> None:
    if value is not None and value < low:
        _fail(f"{_flag(name)} must be at least {low}, got {value}", USAGE_EXIT)


def _within(name: str, value: float | None, low: float, high: float) -> None:
    if value is not None and not low <= value <= high:   # NaN fails too
        _fail(f"{_flag(name)} must be between {low} and {high}, got {value}", USAGE_EXIT)


def _check_out(out: Path | None, db: str) -> None:
    """Usage error unless ``--out`` names a file that can be written; checked before any
    work starts, so a bad path changes nothing. The file is opened for append (an existing
    one keeps its bytes) and, if this check created it, removed again."""
    if out is None:
        return
    if out.is_dir():
        _fail(f"--out {out}: is a folder; give a file name", USAGE_EXIT)
    if not out.parent.is_dir():
        _fail(f"--out {out}: folder {out.parent} does not exist; create it or give another path", USAGE_EXIT)
    if Path(db).exists() and out.exists() and os.path.samefile(out, db):
        _fail(f"--out {out} is the database itself; give another file name", USAGE_EXIT)
    existed = os.path.lexists(out)
    try:
        with out.open("a") as f:
            if existed and not out.is_file():   # a device (/dev/full): a byte must go through
                f.write(" ")
                f.flush()
    except OSError as err:
        _fail(f"--out {out}: cannot write it ({err.strerror or err}); give a writable path", USAGE_EXIT)
    if not existed:
        out.unlink(missing_ok=True)


# Defaults shown in --help only: an option left out is not passed on, so the library's own
# defaults apply (MineOptions, KgOptions, rank_eval); tests/test_cli_usage.py checks these match.
HELP_DEFAULTS: dict[str, object] = {
    "max_body": 3, "tnorm": "product", "epochs": 300, "seed": 0, "recursion": "auto", "invention": "auto",
    "noise": 0.0, "max_examples": 20_000, "min_confidence": 0.01, "max_rules": 150, "kg_min_support": 2,
    "split": "test", "train_queries": 4000,
}


def _default(name: str) -> str:
    return f" (default: {HELP_DEFAULTS[name]})"


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
    max_body: int | None = typer.Option(None, "--max-body", help="Body literals per rule (path steps with "
                                        f"--all-relations){_default('max_body')}."),
    tnorm: str | None = typer.Option(None, "--tnorm", help=f"product, lukasiewicz or godel{_default('tnorm')}."),
    epochs: int | None = typer.Option(None, "--epochs", help=f"Training epochs{_default('epochs')}."),
    seed: int | None = typer.Option(None, "--seed", help=f"Random seed{_default('seed')}."),
    out: Path | None = typer.Option(None, "--out", help="Write the result as JSON to this file."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON on stdout only."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Learn and print; write nothing to DB."),
    schema: str = typer.Option("ruledisc", "--schema", help="Schema for rules and views."),
    negatives: str | None = typer.Option(None, "--negatives", help="Table of negative examples."),
    key: str | None = typer.Option(None, "--key", help="Key column(s) of the target table, comma-separated."),
    background: str | None = typer.Option(None, "--background",
                                          help="Only these tables may appear in rule bodies (comma-separated)."),
    exclude: str | None = typer.Option(None, "--exclude", help="Tables never used in rule bodies."),
    min_support: int | None = typer.Option(None, "--min-support", help="Positives a rule must reach (default: 1% "
                                           f"of the positives; {HELP_DEFAULTS['kg_min_support']} with "
                                           "--all-relations)."),
    max_vars: int | None = typer.Option(None, "--max-vars", help="Distinct variables per rule "
                                        "(default: head arity + 2)."),
    recursion: str | None = typer.Option(None, "--recursion", help="auto (when flat rules leave training errors), "
                                         f"on or off{_default('recursion')}."),
    invention: str | None = typer.Option(None, "--invention", help="Invented predicates: auto (when the rules so "
                                         f"far leave training errors), on or off{_default('invention')}."),
    noise: float | None = typer.Option(None, "--noise", help="Share of training labels expected to be wrong (e.g. "
                                       "0.1): rules must explain more labels than their literals cost"
                                       f"{_default('noise')}."),
    max_examples: int | None = typer.Option(None, "--max-examples", help="Labelled rows the learner reads; past it, "
                                            "a weighted sample (rules are still scored on every row)"
                                            f"{_default('max_examples')}."),
    min_confidence: float | None = typer.Option(None, "--min-confidence", help="--all-relations: least standard "
                                                f"confidence of a kept rule{_default('min_confidence')}."),
    max_rules: int | None = typer.Option(None, "--max-rules", help="--all-relations: rules kept per relation and "
                                         f"shape (path, constant){_default('max_rules')}."),
    memory_limit: str | None = typer.Option(None, "--memory-limit", help="--all-relations: DuckDB's memory limit "
                                            "(e.g. 6GB); past it, DuckDB spills to disk."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress display."),
) -> None:
    """Learn rules that explain TARGET (or, with --all-relations, every relation of a
    knowledge graph) from the rest of DB; print and store them."""
    if all_relations == (target is not None):
        _fail("give either --target TARGET or --all-relations", USAGE_EXIT)
    learner = dict(tnorm=tnorm, negatives=negatives, key=key, background=background, exclude=exclude,
                   recursion=recursion, invention=invention, noise=noise, max_vars=max_vars,
                   max_examples=max_examples, epochs=epochs)
    graph = dict(min_confidence=min_confidence, max_rules=max_rules, memory_limit=memory_limit)
    if all_relations:
        _refuse(learner, "--target runs", "--all-relations")
        _mine_all(db, out, as_json, dry_run, schema, quiet, max_body, seed, min_support, graph)
        return
    _refuse(graph, "--all-relations", "--target")
    _check_out(out, db)
    from . import pipeline
    res = pipeline.mine(db, target, reporter=_reporter(quiet or as_json), dry_run=dry_run, schema=schema,
                        **_given(max_body=max_body, seed=seed, min_support=min_support, **learner))
    _emit(res, out, as_json, _print_result)


def _mine_all(db: str, out: Path | None, as_json: bool, dry_run: bool, schema: str, quiet: bool,
              max_body: int | None, seed: int | None, min_support: int | None, graph: dict[str, Any]) -> None:
    """``mine --all-relations``: its ranges checked here (``KgOptions`` checks only some)."""
    _at_least("min_support", min_support, 1)
    _at_least("max_rules", graph["max_rules"], 1)
    _within("min_confidence", graph["min_confidence"], 0.0, 1.0)
    _within("seed", seed, 0, 2**32 - 1)
    _check_out(out, db)
    from .kg_run import mine_all
    memory_limit = graph.pop("memory_limit")
    res = mine_all(db, _reporter(quiet or as_json), schema=schema, dry_run=dry_run, memory_limit=memory_limit,
                   **_given(max_length=max_body, seed=seed, min_support=min_support, **graph))
    _emit(res, out, as_json, _print_all)


def _emit(res: Any, out: Path | None, as_json: bool, show: Callable[[Any], None]) -> None:
    """``--out`` file, then JSON on stdout or the printed summary."""
    if out is not None:
        try:
            out.write_text(res.to_json() + "\n")
        except OSError as err:
            _fail(f"cannot write --out {out}: {err.strerror or err}", 1)
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
    if "baseline_accuracy" in m:
        con.print(f"baseline (nothing learned): every row positive f1 {m['baseline_f1']:.3f}; majority class "
                  f"accuracy {m['baseline_accuracy']:.3f} (program {m['accuracy']:.3f})", highlight=False)
    errors = res.info.get("training_errors")
    if errors:
        con.print(f"the program disagrees with {errors} training label(s)", highlight=False)
    if res.views:
        con.print(f"views: {', '.join(res.views)}", highlight=False)
        if res.info.get("persisted") is False:
            con.print("(in memory only: DB is a .sql script or a folder, so nothing persists; mine a DuckDB "
                      "file, or keep the rules with --out and `ruledisc apply`)", highlight=False)


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
    split: str | None = typer.Option(None, "--split", help=f"--ranking: train, valid or test{_default('split')}."),
    train_queries: int | None = typer.Option(None, "--train-queries", help="--ranking: training queries the learned "
                                             f"aggregation is fitted on{_default('train_queries')}."),
    rules: Path | None = typer.Option(None, "--rules", help="Rules file; default: the stored rules."),
    schema: str = typer.Option("ruledisc", "--schema"),
    key: str | None = typer.Option(None, "--key"),
    negatives: str | None = typer.Option(None, "--negatives"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Score rules against the labels in DB: precision, recall, F1 (with --ranking: filtered
    MRR and Hits@1/3/10 of the stored knowledge-graph rules)."""
    if ranking == (target is not None):
        _fail("give either --target TARGET or --ranking", USAGE_EXIT)
    if ranking:
        _refuse(dict(rules=rules, key=key, negatives=negatives), "--target runs", "--ranking")
        _at_least("train_queries", train_queries, 1)
        from .kg_run import rank_eval
        rep = rank_eval(db, reporter=_reporter(as_json), schema=schema,
                        **_given(split=split, train_queries=train_queries))
        if as_json:
            typer.echo(json.dumps(rep, indent=2))
            return
        _print_ranking(rep)
        return
    _refuse(dict(split=split, train_queries=train_queries), "--ranking", "--target")
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
    """The console script: ``app`` with a Ctrl-C anywhere (typer's set-up included) as one line."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo(f"error: {interrupted()}", err=True)
        sys.exit(INTERRUPT_EXIT)
    finally:   # the command is over: a Ctrl-C now would only garble the interpreter's shutdown
        signal.signal(signal.SIGINT, signal.SIG_IGN)


if __name__ == "__main__":
    run()
