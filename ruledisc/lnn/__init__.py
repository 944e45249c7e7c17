"""Logical Neural Networks on DuckDB, with LNN's API: port LNN code by changing its import
line (``from lnn import ...`` -> ``from ruledisc.lnn import ...``).

Predicates are DuckDB tables of groundings and truth bounds, a formula's groundings are a
sqlglot-built inner join driven by the facts that can constrain it, and the neurons
(weighted Łukasiewicz, Gödel or product) run in torch on index batches.
"""

from ..semantics import TNorm
from .constants import Direction, Fact, Loss, State, World
from .formula import (
                      And,
                      Atom,
                      Exists,
                      ForAll,
                      Forall,
                      Formula,
                      Iff,
                      Implies,
                      Not,
                      Or,
                      Predicate,
                      Predicates,
                      Proposition,
                      Propositions,
                      Variable,
                      Variables,
                      Xor,
)
from .model import InferResult, Model

__all__ = ["And", "Atom", "Direction", "Exists", "Fact", "ForAll", "Forall", "Formula", "Iff", "Implies",
           "InferResult", "Loss", "Model", "Not", "Or", "Predicate", "Predicates", "Proposition", "Propositions",
           "State", "TNorm", "Variable", "Variables", "World", "Xor"]
