"""Recursive rules: SQL fixpoint views against the learner's crisp forward chaining."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from conftest import world_con as _con
from sqlglot import exp

import ruledisc
from ruledisc.bias import Bias, search
from ruledisc.chain import chain, fixpoint
from ruledisc.datasets import dilp
from ruledisc.engine import Engine
from ruledisc.ground import HEADS
from ruledisc.ground_recursive import build_universe, ground_program
from ruledisc.introspect import introspect
from ruledisc.parse import parse_program
from ruledisc.recursion import fixpoint_query, is_recursive
from ruledisc.semantics import TNorm
from ruledisc.target import materialise_examples, parse_target

FLAT_REFERENCE = [t for t in dilp.TASKS if "inv" not in t.program]


@pytest.mark.parametrize("task", FLAT_REFERENCE, ids=lambda t: t.name)
def test_reference_programs_define_the_generated_targets(task: dilp.Task) -> None:
    """The generators and the fixpoint SQL agree: each reference program's view
    returns exactly the target table, on the training and the test world."""
    for world in (dilp.train_world(task), dilp.test_world(task)):
        con = _con(world)
        cat = introspect(Engine(con))
        table = cat.tables[task.target]
        q = fixpoint_query(parse_program(task.program).rules, cat, [c.name for c in table.columns],
                           [c.type for c in table.columns])
        got = set(con.execute(q.sql("duckdb")).fetchall())
        assert got == set(con.execute(f'SELECT * FROM "{task.target}"').fetchall())
        assert got


@pytest.mark.parametrize("name", ["connectedness", "less_than", "length", "member", "even_odd"])
def test_crisp_forward_chaining_equals_the_recursive_view(name: str) -> None:
    task = dilp.BY_NAME[name]
    con = _con(dilp.train_world(task))
    eng = Engine(con)
    cat = introspect(eng)
    tgt = parse_target(task.target, cat)
    ex = materialise_examples(eng, tgt, cat)
    cands, _ = search(eng, cat, tgt, Bias(recursive=True), ex["positives"])
    build_universe(eng, cat, tgt, cands, 10**6, 0)
    g = ground_program(eng, cat, tgt, cands)
    heads = eng.numpy(exp.select(*[f"c{i}" for i in range(tgt.arity)]).from_(HEADS).order_by("hid"))
    atoms = list(zip(*[heads[f"c{i}"].tolist() for i in range(tgt.arity)]))
    texts = {c.rule.canonical().text(): i for i, c in enumerate(cands)}
    reference = [texts[r.canonical().text()] for r in parse_program(task.program).rules]
    rng = np.random.default_rng(0)
    recursive = [i for i, c in enumerate(cands) if c.recursive]
    flat = [i for i, c in enumerate(cands) if not c.recursive]
    subsets = [reference] + [sorted({int(x) for x in rng.choice(flat, 1)} | {int(x) for x in rng.choice(recursive, 2)})
                             for _ in range(4)]
    for chosen in subsets:
        rules = [cands[i].rule for i in chosen]
        w = torch.zeros(1, len(cands))
        w[0, chosen] = 1.0
        truth = chain(g, w, TNorm.PRODUCT, g.n_heads + 1)
        assert set(torch.unique(truth).tolist()) <= {0.0, 1.0}
        soft = {atoms[i] for i in np.flatnonzero(truth.numpy() == 1.0)}
        crisp = {atoms[i] for i in np.flatnonzero(fixpoint(g, chosen))}
        cols = [f"c{i}" for i in range(tgt.arity)]
        view = set(con.execute(fixpoint_query(rules, cat, cols, tgt.head_types).sql("duckdb")).fetchall())
        assert soft == crisp == view, [r.text() for r in rules]
    assert set(atoms[i] for i in np.flatnonzero(fixpoint(g, reference))) == \
        set(con.execute(f'SELECT * FROM "{task.target}"').fetchall())


@pytest.mark.slow
@pytest.mark.parametrize("name", ["connectedness", "length"])
def test_recursive_rules_are_learned_stored_and_applied_to_a_bigger_world(name: str, tmp_path) -> None:
    task = dilp.BY_NAME[name]
    train = _con(dilp.train_world(task))
    res = ruledisc.mine(train, target=task.target)
    assert res.metrics["f1"] == 1.0 and res.info["recursive"]
    assert is_recursive([r.rule for r in res.rules])
    # the union view is the fixpoint: exactly the training target
    assert set(train.execute(f'SELECT * EXCLUDE (score) FROM ruledisc."{task.target}"').fetchall()) == \
        set(train.execute(f'SELECT * FROM "{task.target}"').fetchall())
    sql = train.execute("SELECT sql FROM duckdb_views() WHERE schema_name = 'ruledisc' AND view_name = ?",
                        [task.target]).fetchone()[0]
    assert "WITH RECURSIVE" in sql.upper()
    rules_file = tmp_path / "rules.json"
    rules_file.write_text(res.to_json())
    test = _con(dilp.test_world(task))
    ruledisc.apply(rules_file, test)
    want = set(test.execute(f'SELECT * FROM "{task.target}"').fetchall())
    assert set(test.execute(f'SELECT * EXCLUDE (score) FROM ruledisc."{task.target}"').fetchall()) == want
    for k in range(1, len(res.rules) + 1):   # each rule view derives only true facts here
        rows = set(test.execute(f'SELECT * FROM ruledisc."{task.target}#r{k}"').fetchall())
        assert rows and rows <= want
    assert json.loads(res.to_json())["rules"]


def test_compact_swaps_two_long_clauses_for_one_short_cover() -> None:
    """Clauses 0 and 1 (three literals each) derive heads {0, 1} and {2}; clause 2
    (one literal) derives all three. All are positive: the program [0, 1] fits,
    and compaction finds the one-literal program that fits as well."""
    from ruledisc.chain import compact
    from ruledisc.ground_recursive import ChainGroundings
    clause, head = torch.tensor([0, 0, 1, 2, 2, 2]), torch.tensor([0, 1, 2, 0, 1, 2])
    g = ChainGroundings(clause, head, torch.full((6, 1), -1), torch.ones(3), torch.ones(3), 3)
    lengths, weights = np.array([3.0, 3.0, 1.0]), np.array([0.9, 0.9, 0.1])
    assert compact(g, [0, 1], weights, lengths) == [2]
    g.labels[2] = 0.0   # now clause 2 derives a negative: the long clause 0 alone fits
    assert compact(g, [0], weights, lengths) == [0]
