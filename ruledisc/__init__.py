"""ruledisc: discover the rules that explain a table or a column, as SQL views.

>>> import ruledisc
>>> res = ruledisc.mine("sample_dbs/family.sql", target="mother", background="parent,male,female")  # doctest: +SKIP
"""

from .errors import DataError, RulediscError, RuleSyntaxError, SchemaError, SourceError, TargetError, UsageError
from .explain import Explanation, explain
from .parse import parse_program, parse_rule
from .pipeline import MineOptions, apply, evaluate, mine, score, stored_rules
from .result import LearnedRule, MineResult
from .rule import Atom, Comparison, Const, Rule, Var

__version__ = "0.1.0"
__all__ = [
                     "Atom",
                     "Comparison",
                     "Const",
                     "DataError",
                     "Explanation",
                     "LearnedRule",
                     "MineOptions",
                     "MineResult",
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
                     "mine",
                     "parse_program",
                     "parse_rule",
                     "score",
                     "stored_rules",
]
