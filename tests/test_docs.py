"""The Python API example in docs/python_api.md runs as written and does what it says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parent.parent / "docs" / "python_api.md"


def _examples() -> list[str]:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.DOTALL)
    assert len(blocks) == 2
    return blocks


def _example() -> str:
    return _examples()[0]


@pytest.mark.slow
def test_python_api_example_runs(capsys):
    code = _example()
    promised = [line[2:] for line in code.splitlines() if line.startswith("# orders.late")]
    env: dict = {}
    exec(compile(code, str(DOC), "exec"), env)   # noqa: S102 - our own documentation
    res, scores, views = env["res"], env["scores"], env["views"]
    assert sorted(res.rules_df["text"].to_list()) == sorted(promised)
    assert scores.columns == ["order_id", "score"] and len(scores) > 0
    assert 'ruledisc."orders.late"' in views
    out = capsys.readouterr().out
    assert f"orders.late({scores['order_id'][0]}): predicted (unlabelled)" in out


@pytest.mark.slow
def test_knowledge_graph_example_runs(tmp_path, monkeypatch, capsys):
    (tmp_path / "sample_dbs").symlink_to(DOC.parent.parent / "sample_dbs")
    monkeypatch.chdir(tmp_path)
    env: dict = {}
    exec(compile(_examples()[1], str(DOC), "exec"), env)   # noqa: S102 - our own documentation
    res, aunt, report = env["res"], env["aunt"], env["report"]
    assert len(res.results) == 12 and aunt.rules
    assert all(r.pca_confidence >= r.confidence for r in aunt.rules)
    assert report["queries"] == 2 * 2835
    assert f"{report['aggregations']['learned']['mrr']}" in capsys.readouterr().out
