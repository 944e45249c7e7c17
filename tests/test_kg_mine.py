"""All-relations mining and ranking on imported graphs: exact measures against brute force,
the planted rules of a synthetic graph, filtered ranks against a brute-force ranking, the
stored rules and views, and the command line's errors."""

from __future__ import annotations

import json
import random

import duckdb
import numpy as np
import pytest
from conftest import SAMPLES
from typer.testing import CliRunner

from ruledisc.cli import app
from ruledisc.datasets.kg_synth import generate
from ruledisc.engine import Engine
from ruledisc.errors import SourceError, UsageError
from ruledisc.kg import import_kg
from ruledisc.kg_aggregate import max_scores, noisy_or_scores
from ruledisc.kg_mine import KgOptions, mine_graph
from ruledisc.kg_rank import fired, ranks
from ruledisc.kg_rules import KgRule
from ruledisc.kg_run import mine_all, rank_eval
from ruledisc.kg_sql import setup
from ruledisc.progress import Phases


def _random_graph(tmp_path, seed=7, n_ent=40, n_facts=260, rels=("a", "b", "c", "d")):
    """A small random graph with a few regularities (``c`` is ``a`` then ``b``; ``d`` points
    at a popular entity), as import-kg files; returns the imported database."""
    rng = random.Random(seed)
    facts = {(rng.randrange(n_ent), rng.choice(rels[:2]), rng.randrange(n_ent)) for _ in range(n_facts)}
    by = {}
    for h, r, t in facts:
        by.setdefault(r, set()).add((h, t))
    chain = {(x, y) for x, z in by["a"] for z2, y in by["b"] if z == z2 and x != y}
    facts |= {(x, "c", y) for x, y in chain if rng.random() < 0.7}
    facts |= {(h, "d", 0) for h, _ in by["a"] if rng.random() < 0.6}
    facts = sorted(f for f in facts if f[0] != f[2])
    held = facts[::9]
    bg = [f for f in facts if f not in set(held)]
    d = tmp_path / "g"
    d.mkdir()
    line = lambda fs: "".join(f"e{h}\t{r}\te{t}\n" for h, r, t in fs)
    (d / "facts.txt").write_text(line(bg[::2]))
    (d / "train.txt").write_text(line(bg[1::2]))
    (d / "valid.txt").write_text(line(held[::2]))
    (d / "test.txt").write_text(line(held[1::2]))
    import_kg(d, tmp_path / "g.duckdb")
    return tmp_path / "g.duckdb"


def _background(con):
    """Directed edges ``(p, a, b)`` of the background, ``R`` relations, no self-loops."""
    n_rel = con.execute("SELECT count(*) FROM kg.relations").fetchone()[0]
    e = set()
    for h, r, t in con.execute("SELECT h, r, t FROM kg.facts WHERE split IN ('facts', 'train')").fetchall():
        if h != t:
            e.add((r, h, t))
            e.add((r + n_rel, t, h))
    return e, n_rel


def _derive(rule: KgRule, e, n_rel):
    """Brute force: the head pairs ``(x, y)`` of ``rule`` under object identity."""
    out = {}
    for p, a, b in e:
        out.setdefault((p, a), set()).add(b)
    ents = {a for _, a, _ in e}
    heads = set()
    if rule.is_path:
        for x in ents:
            walks = [(x,)]
            for p in rule.path:
                walks = [w + (b,) for w in walks for b in out.get((p, w[-1]), ())]
            heads |= {(w[0], w[-1]) for w in walks if len(set(w)) == len(w)}
    else:
        c = rule.const
        for x in ents:
            ok = any(b != c and (rule.bconst is None or b == rule.bconst) for b in out.get((rule.path[0], x), ()))
            if ok and x != c:
                heads.add((x, c) if rule.side == 0 else (c, x))
    return heads


def test_mined_measures_match_a_brute_force_count(tmp_path):
    db = _random_graph(tmp_path)
    eng = Engine(duckdb.connect(str(db), read_only=True))
    mined = mine_graph(eng, KgOptions(min_confidence=0.0, max_rules=10_000, max_candidates=10_000), Phases())
    e, n_rel = _background(eng.con)
    facts = {(p, a, b) for p, a, b in e if p < n_rel}
    checked = {"path": 0, "const": 0}
    for name, rules in mined.rules.items():
        r_id = mined.names.index(name)
        head = {(a, b) for p, a, b in facts if p == r_id}
        subjects = {a for a, _ in head}
        for m in rules:
            derived = _derive(m.rule, e, n_rel)
            # in the rule's own head orientation: r(X, Y) facts
            support = derived & head
            pca = {(x, y) for x, y in derived if x in subjects}
            assert (m.derived, m.support, m.pca_derived, m.head_size) == \
                (len(derived), len(support), len(pca), len(head)), m.rule.to_rule(mined.names, n_rel).text()
            checked["path" if m.rule.is_path else "const"] += 1
    assert checked["path"] >= 10 and checked["const"] >= 3, checked


def test_the_chain_rule_is_found_exactly(tmp_path):
    db = _random_graph(tmp_path)
    res = mine_all(db)
    c = next(m for m in res.results if m.target == "c")
    texts = [r.text for r in c.rules]
    assert "c(X, Y) :- a(X, Z), b(Z, Y), X != Y, X != Z, Y != Z." in texts
    d = next(m for m in res.results if m.target == "d")
    assert any(r.text.startswith("d(X, 0) :- a(X, Z)") for r in d.rules), [r.text for r in d.rules]
    con = duckdb.connect(str(db), read_only=True)
    stored = con.execute("SELECT rule_text, support, confidence, pca_confidence FROM ruledisc.rules "
                         "WHERE target = 'c' ORDER BY rule_no").fetchall()
    assert [s[0] for s in stored] == texts
    assert all(s[3] is not None and s[3] >= s[2] for s in stored)   # PCA confidence never below standard


def test_union_views_hold_the_union_of_the_rules(tmp_path):
    db = _random_graph(tmp_path)
    mine_all(db, rule_views=2)
    con = duckdb.connect(str(db), read_only=True)
    for target in ("c", "d"):
        sqls = [s for (s,) in con.execute("SELECT sql_text FROM ruledisc.rules WHERE target = ? ORDER BY rule_no",
                                          [target]).fetchall()]
        union = set()
        for s in sqls:
            union |= set(con.execute(s).fetchall())
        view = con.execute(f'SELECT h, t, score FROM ruledisc."{target}"').fetchall()
        assert {(h, t) for h, t, _ in view} == union and union
        assert all(0 < s <= 1 for _, _, s in view)
    views = {v for (v,) in con.execute("SELECT view_name FROM duckdb_views() WHERE schema_name = 'ruledisc'").fetchall()}
    assert {"c", "c#r1", "c#r2"} <= views and "c#r3" not in views


def _brute_ranks(con, rules, weights, agg, split="test"):
    """Filtered ranks by brute force: every entity scored by the rules that derive it."""
    e, n_rel = _background(con)
    n_ent = con.execute("SELECT count(*) FROM kg.entities").fetchone()[0]
    known = set()
    for h, r, t in con.execute("SELECT h, r, t FROM kg.facts").fetchall():
        known |= {(r, h, t), (r + n_rel, t, h)}
    derived = [_derive(r, e, n_rel) for r in rules]
    out = []
    for h, r, t in con.execute("SELECT h, r, t FROM kg.facts WHERE split = ? ORDER BY r, h, t", [split]).fetchall():
        for s, rho, ans in ((h, r, t), (t, r + n_rel, h)):
            score = {}
            for k, rule in enumerate(rules):
                if rule.head != rho % n_rel:
                    continue
                for x, y in derived[k]:
                    src, cand = (x, y) if rho < n_rel else (y, x)
                    if src == s:
                        score.setdefault(cand, []).append(weights[k])
            key = {c: agg(ws) for c, ws in score.items()}
            cands = [c for c in range(n_ent) if c == ans or (rho, s, c) not in known]
            mine = key.get(ans)
            if mine is None:
                n_scored = sum(1 for c in cands if c in key)
                out.append(n_scored + 1 + (len(cands) - n_scored - 1) / 2)
                continue
            higher = sum(1 for c in cands if c in key and key[c] > mine)
            ties = sum(1 for c in cands if c in key and key[c] == mine and c != ans)
            out.append(1 + higher + ties / 2)
    return np.array(out)


def test_filtered_ranks_match_a_brute_force_ranking(tmp_path):
    db = _random_graph(tmp_path)
    eng = Engine(duckdb.connect(str(db), read_only=True))
    mined = mine_graph(eng, KgOptions(min_confidence=0.0), Phases())
    ms = [m for rs in mined.rules.values() for m in rs]
    rules, w = [m.rule for m in ms], np.array([m.weight for m in ms])
    setup(eng, len(mined.names))
    f = fired(eng, rules, len(mined.names), "test")
    got = ranks(f, noisy_or_scores(f, w))
    want = _brute_ranks(eng.con, rules, w, lambda ws: -np.sum(np.log1p(-np.clip(ws, 0, 1 - 1e-9))))
    assert len(got) == len(want) > 10
    assert np.allclose(got, want)
    got = ranks(f, max_scores(f, w))
    want = _brute_ranks(eng.con, rules, w, lambda ws: tuple(sorted(ws, reverse=True)[:4]) + (0,) * (4 - len(ws)))
    assert np.allclose(got, want)


def test_ranking_report_and_errors(tmp_path):
    db = _random_graph(tmp_path)
    with pytest.raises(SourceError, match="run `ruledisc mine DB --all-relations` first"):
        rank_eval(db)
    mine_all(db)
    rep = rank_eval(db, split="valid", train_queries=50, epochs=5)
    assert set(rep["aggregations"]) == {"learned", "max", "noisy-or"}
    for m in rep["aggregations"].values():
        assert 0 < m["mrr"] <= 1 and m["hits@1"] <= m["hits@3"] <= m["hits@10"] <= 1
    assert rep["queries"] == 2 * duckdb.connect(str(db), read_only=True).execute(
        "SELECT count(*) FROM kg.facts WHERE split = 'valid'").fetchone()[0]
    with pytest.raises(UsageError, match="--split 'dev'"):
        rank_eval(db, split="dev")


def test_cli_all_relations_and_ranking(tmp_path):
    db = _random_graph(tmp_path)
    run = lambda *a: CliRunner().invoke(app, list(a))
    r = run("mine", str(db), "--all-relations", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["all_relations"] and {t["target"] for t in out["targets"]} == {"a", "b", "c", "d"}
    r = run("eval", str(db), "--ranking", "--split", "dev")
    assert r.exit_code == 2 and "--split 'dev'" in r.output
    r = run("eval", str(db), "--ranking", "--split", "test", "--train-queries", "40")
    assert r.exit_code == 0, r.output
    assert "learned" in r.output and "MRR" in r.output
    r = run("mine", str(db), "--all-relations", "--target", "c")
    assert r.exit_code == 2 and "either --target TARGET or --all-relations" in r.output
    r = run("mine", str(db), "--all-relations", "--max-body", "4")
    assert r.exit_code == 2 and "1 to 3 steps" in r.output
    r = run("mine", str(db), "--all-relations", "--memory-limit", "lots")
    assert r.exit_code == 2 and "--memory-limit 'lots'" in r.output
    plain = tmp_path / "plain.duckdb"
    duckdb.connect(str(plain)).execute("CREATE TABLE parent(a INT, b INT); INSERT INTO parent VALUES (1, 2)")
    r = run("mine", str(plain), "--all-relations")
    assert r.exit_code == 2 and "import-kg" in r.output
    assert duckdb.connect(str(plain), read_only=True).execute(
        "SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'ruledisc'").fetchone() == (0,)


@pytest.mark.slow
def test_planted_rules_are_found_with_their_confidence(tmp_path):
    generate(tmp_path / "g", 60_000, seed=5)
    import_kg(tmp_path / "g", tmp_path / "g.duckdb")
    res = mine_all(tmp_path / "g.duckdb")
    con = duckdb.connect(str(tmp_path / "g.duckdb"), read_only=True)
    want = {"p0": ("p0(X, Y) :- b0(X, Z), b1(Z, Y), X != Y, X != Z, Y != Z.", 0.8),
            "p1": ("p1(X, Y) :- b2(Y, X), X != Y.", 0.9),
            "p2": ("p2(X, Y) :- b3(X, Z), b4(Z, Y), X != Y, X != Z, Y != Z.", 0.5)}
    for target, (text, conf) in want.items():
        m = next(m for m in res.results if m.target == target)
        rule = next(r for r in m.rules if r.text == text)
        # against every split (the background holds 80% of the planted heads): the planted confidence
        body = set(con.execute(rule.sql).fetchall())
        rid = con.execute("SELECT id FROM kg.relations WHERE name = ?", [target]).fetchone()[0]
        heads = set(con.execute("SELECT h, t FROM kg.facts WHERE r = ?", [rid]).fetchall())
        assert len(body & heads) / len(body) == pytest.approx(conf, abs=0.02)
        assert rule.confidence == pytest.approx(0.8 * conf, abs=0.02)


@pytest.mark.slow
def test_family_ranking_beats_anyburl(tmp_path):
    import_kg(SAMPLES / "kg_family", tmp_path / "fam.duckdb")
    mine_all(tmp_path / "fam.duckdb")
    rep = rank_eval(tmp_path / "fam.duckdb", split="test")
    m = rep["aggregations"]["learned"]
    assert m["mrr"] >= 0.985 and m["hits@1"] >= 0.98, m
    assert m["mrr"] > rep["aggregations"]["noisy-or"]["mrr"]


def test_rule_records_round_trip_through_datalog():
    from ruledisc.kg_rules import from_rule
    from ruledisc.parse import parse_rule
    names = ["aunt", "brother", "father"]
    ids = {n: i for i, n in enumerate(names)}
    for r in [KgRule(0, (5,)), KgRule(0, (1, 5)), KgRule(0, (1, 2, 4)), KgRule(1, (2,), const=7),
              KgRule(1, (5,), const=7, side=1, bconst=9)]:
        text = r.to_rule(names, 3).text()
        assert from_rule(parse_rule(text), ids, 3) == r, text
    assert from_rule(parse_rule("aunt(X, Y) :- brother(X, Z), father(W, Y)."), ids, 3) is None


def test_an_all_relations_rules_file_applies_with_bodies_reading_the_tables(tmp_path):
    db = _random_graph(tmp_path)
    out = tmp_path / "rules.json"
    r = CliRunner().invoke(app, ["mine", str(db), "--all-relations", "--dry-run", "--out", str(out), "-q"])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(app, ["apply", str(out), str(db)])
    assert r.exit_code == 0, r.output
    con = duckdb.connect(str(db), read_only=True)
    # c's rules read a and b, and a rule of a may read c: each body reads the table, not the predictions
    rules = json.loads(out.read_text())["targets"]
    c_rules = next(t for t in rules if t["target"] == "c")["rules"]
    union = set()
    for rule in c_rules:
        union |= set(con.execute(rule["sql"]).fetchall())
    assert set(con.execute('SELECT h, t FROM ruledisc."c"').fetchall()) == union and union
