"""ruledisc: discover the rules that explain a table or a column, as SQL views.

>>> import ruledisc
>>> res = ruledisc.mine("sample_dbs/family.sql", target="mother", background="parent,male,female")  # doctest: +SKIP
"""

import sys as _sys

if _sys.argv and _sys.argv[0].replace("\\", "/").rsplit("/", 1)[-1] in ("ruledisc", "ruledisc.exe"):
    # the console script: a Ctrl-C while the imports below load ends in one line, not a traceback
    from .progress import install_interrupt_hook as _install_interrupt_hook
    _install_interrupt_hook()

from importlib import import_module  # noqa: E402
from typing import Any  # noqa: E402

from .errors import (  # noqa: E402
    DataError,
    InternalError,
    MissingObjectError,
    RulediscError,
    RuleSyntaxError,
    SchemaError,
    SourceError,
    TargetError,
    UsageError,
)
from .explain import Explanation, explain  # eager: the name is also a submodule's, which a lazy import would shadow
from .parse import parse_program, parse_rule
from .result import LearnedRule, MineResult
from .rule import Atom, Comparison, Const, Rule, Var

# imported on first use: the learner pulls in torch, which takes seconds to load
_LAZY = {"MineOptions": "pipeline", "apply": "pipeline",
         "evaluate": "pipeline", "mine": "pipeline", "stored_rules": "pipeline",
         "mine_all": "kg_run", "rank_eval": "kg_run", "AllRelationsResult": "kg_run", "import_kg": "kg"}


def score(rules: Any, db: Any, target: str | None = None) -> Any:
    """Score rows with learned rules: :func:`ruledisc.pipeline.score` (a function here, not
    the ``ruledisc.score`` submodule of rule metrics, which ``explain`` has loaded above)."""
    from .pipeline import score as _score
    return _score(rules, db, target)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'ruledisc' has no attribute {name!r}")


__version__ = "0.1.0"
__all__ = [
                     "AllRelationsResult",
                     "Atom",
                     "Comparison",
                     "Const",
                     "DataError",
                     "Explanation",
                     "InternalError",
                     "LearnedRule",
                     "MineOptions",
                     "MineResult",
                     "MissingObjectError",
                     "Rule",
                     "RuleSyntaxError",
                     "RulediscError",
                     "SchemaError",
                     "SourceError",
                     "TargetError",
                     "UsageError",
                     "Var",
                     "apply",
                     "evaluate",
                     "explain",
                     "import_kg",
                     "mine",
                     "mine_all",
                     "parse_program",
                     "parse_rule",
                     "rank_eval",
                     "score",
                     "stored_rules",
]
