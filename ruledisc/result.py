"""What a mining run returns: learned rules with exact metrics, as JSON or polars."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from .rule import Rule


@dataclass(frozen=True)
class LearnedRule:
    rule: Rule
    sql: str
    weight: float
    support: int
    confidence: float
    head_coverage: float
    precision: float
    recall: float
    pca_confidence: float | None = None   # binary targets (AMIE's PCA confidence)

    @property
    def text(self) -> str:
        return self.rule.text()

    def to_dict(self) -> dict[str, Any]:
        d = {"text": self.text, "sql": self.sql}
        for k in ("weight", "support", "confidence", "head_coverage", "precision", "recall", "pca_confidence"):
            v = getattr(self, k)
            d[k] = round(v, 6) if isinstance(v, float) else v
        return d


@dataclass(frozen=True)
class InventedPredicate:
    """An auxiliary predicate the learned rules read: its definition and view SQL."""

    name: str
    columns: list[tuple[str, str]]
    rules: list[Rule]
    sql: str
    facts: int   # facts it holds on the training data

    @property
    def head(self) -> str:
        return self.rules[0].head.text()

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "head": self.head,
                "head_columns": [{"name": c, "type": t} for c, t in self.columns],
                "rules": [r.text() for r in self.rules], "sql": self.sql, "facts": self.facts}


@dataclass
class MineResult:
    target: str
    head: str
    head_columns: list[dict[str, str]]
    rules: list[LearnedRule]
    metrics: dict[str, float]
    views: list[str]
    timings: dict[str, float]
    predicates: dict[str, dict[str, Any]] = field(default_factory=dict)
    run_id: str = ""
    info: dict[str, Any] = field(default_factory=dict)
    invented: list[InventedPredicate] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"target": self.target, "head": self.head, "head_columns": self.head_columns,
                "rules": [r.to_dict() for r in self.rules],
                "invented": [i.to_dict() for i in self.invented],
                "metrics": {k: round(v, 6) for k, v in self.metrics.items()},
                "views": self.views, "timings": {k: round(v, 4) for k, v in self.timings.items()},
                "predicates": self.predicates, "run_id": self.run_id, "info": self.info}

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, default=str)

    @property
    def rules_df(self) -> pl.DataFrame:
        """One row per rule: text, sql, weight and the exact metrics."""
        rows = [r.to_dict() for r in self.rules]
        schema = {"text": pl.String, "sql": pl.String, "weight": pl.Float64, "support": pl.Int64,
                  "confidence": pl.Float64, "head_coverage": pl.Float64, "precision": pl.Float64,
                  "recall": pl.Float64, "pca_confidence": pl.Float64}
        return pl.DataFrame(rows, schema=schema)

    def __repr__(self) -> str:
        lines = [f"MineResult(target={self.target!r}, rules={len(self.rules)}, metrics={self.metrics})"]
        lines += [f"  {r.weight:.3f}  {r.text}" for r in self.rules]
        lines += [f"         {r.text()}" for i in self.invented for r in i.rules]
        return "\n".join(lines)


