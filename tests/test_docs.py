"""The Python API example in docs/python_api.md runs as written and does what it says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parent.parent / "docs" / "python_api.md"


def _example() -> str:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.DOTALL)
    assert len(blocks) == 1
    return blocks[0]


@pytest.mark.slow
def test_python_api_example_runs(capsys):
    code = _example()
    promised = [line[2:] for line in code.splitlines() if line.startswith("# orders__late")]
    env: dict = {}
    exec(compile(code, str(DOC), "exec"), env)   # noqa: S102 - our own documentation
    res, scores, views = env["res"], env["scores"], env["views"]
    assert sorted(res.rules_df["text"].to_list()) == sorted(promised)
    assert scores.columns == ["order_id", "score"] and len(scores) > 0
    assert "ruledisc.orders__late" in views
    out = capsys.readouterr().out
    assert f"orders__late({scores['order_id'][0]}): predicted (unlabelled)" in out
