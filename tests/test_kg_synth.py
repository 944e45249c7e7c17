"""The synthetic graph generator: planted confidences, power-law heads, the import-kg layout."""

from __future__ import annotations

from collections import Counter

import pytest

from ruledisc.datasets.kg_synth import PLANTED, generate
from ruledisc.kg import import_kg


def _triples(path):
    return [tuple(line.split("\t")) for line in path.read_text().splitlines()]


def test_planted_rules_hold_with_their_confidence(tmp_path):
    counts = generate(tmp_path / "g", 40_000, seed=3)
    base = _triples(tmp_path / "g" / "facts.txt")
    heads = [t for f in ("train", "valid", "test") for t in _triples(tmp_path / "g" / f"{f}.txt")]
    assert counts["facts"] == len(base) and counts["train"] > 4 * counts["test"] > 0
    rel: dict[str, set] = {}
    for h, r, t in base + heads:
        rel.setdefault(r, set()).add((h, t))
    for p in PLANTED:
        if p.kind == "inverse":
            body = {(y, x) for x, y in rel[p.body[0]]}
        else:
            out: dict[str, set] = {}
            for z, y in rel[p.body[1]]:
                out.setdefault(z, set()).add(y)
            body = {(x, y) for x, z in rel[p.body[0]] for y in out.get(z, ())}
        assert len(body) > 1000, p.text
        conf = len(body & rel[p.head]) / len(body)
        assert conf == pytest.approx(p.confidence, abs=0.03), p.text
        assert rel[p.head] <= body   # the head holds only where the body does
    degrees = Counter(h for h, r, _ in base if r == "b0")
    assert max(degrees.values()) > 20 * (sum(degrees.values()) / len(degrees))   # hubs: power-law heads


def test_the_graph_imports(tmp_path):
    generate(tmp_path / "g", 5_000, seed=1)
    rep = import_kg(tmp_path / "g", tmp_path / "g.duckdb")
    assert [r.name for r in rep.relations][:2] == ["b0", "b1"] and len(rep.relations) == 8 + len(PLANTED)
    assert rep.splits["facts"] > 4_900
