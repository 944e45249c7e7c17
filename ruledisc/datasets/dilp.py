"""The 20 benchmark tasks of Evans & Grefenstette 2018 (∂ILP), as databases.

Each task has a generator ``task.world(size, seed)`` giving background tables and
the target table, with every true target fact (closed world: every other atom is
false). Target facts are computed here in Python from the task's definition, not
by ruledisc. A *training* world is small, as in the paper; the *test* world is
bigger and unseen (other constants, other structure), so a learned program is
exact only if it generalises. ``PROGRAM`` is a reference solution (∂ILP's, or an
equivalent one); ``invented`` counts the auxiliary predicates ∂ILP needed.

Two ∂ILP tasks share their data: *even/odd* and *even/succ2* both learn ``even``
from ``zero``/``succ``; they differ in ∂ILP's program template (an invented
``odd`` versus an invented ``succ2``), not in the facts.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl

Rows = list[tuple]
World = dict[str, pl.DataFrame]


def _df(rows: Rows, cols: tuple[str, ...], types: tuple[type, ...]) -> pl.DataFrame:
    schema = {c: (pl.Int64 if t is int else pl.Utf8) for c, t in zip(cols, types)}
    return pl.DataFrame(sorted(set(rows)), schema=schema, orient="row")


def _closure(pairs: set[tuple]) -> set[tuple]:
    """Transitive closure of a binary relation."""
    out = set(pairs)
    while True:
        new = {(a, d) for a, b in out for c, d in out if b == c} - out
        if not new:
            return out
        out |= new


# ------------------------------------------------------------------ arithmetic

def _numbers(n: int) -> World:
    return {"zero": _df([(0,)], ("x",), (int,)),
            "succ": _df([(i, i + 1) for i in range(n - 1)], ("x", "y"), (int, int))}


def _unary_numbers(name: str, n: int, pred: Callable[[int], bool]) -> World:
    w = _numbers(n)
    w[name] = _df([(i,) for i in range(n) if pred(i)], ("x",), (int,))
    return w


def predecessor(size: int, seed: int) -> World:
    w = _numbers(size)
    w["predecessor"] = _df([(i + 1, i) for i in range(size - 1)], ("x", "y"), (int, int))
    return w


def even(size: int, seed: int) -> World:
    return _unary_numbers("even", size, lambda i: i % 2 == 0)


def less_than(size: int, seed: int) -> World:
    w = _numbers(size)
    w["less_than"] = _df([(i, j) for i in range(size) for j in range(i + 1, size)], ("x", "y"), (int, int))
    return w


def fizz(size: int, seed: int) -> World:
    return _unary_numbers("fizz", size, lambda i: i % 3 == 0)


def buzz(size: int, seed: int) -> World:
    return _unary_numbers("buzz", size, lambda i: i % 5 == 0)


# ------------------------------------------------------------------ lists

def _lists(size: int, seed: int) -> tuple[Rows, Rows, dict[str, list[str]]]:
    """``size`` random lists over a..e; a node per list suffix, ``nil`` the empty list.
    Returns cons(list, tail), value(list, head), and each node's elements."""
    rng = np.random.default_rng(seed)
    cons, value, elems = [], [], {"nil": []}
    for k in range(size):
        xs = [str(c) for c in rng.choice(list("abcde"), size=int(rng.integers(1, 3 + size // 2)))]
        tail = "nil"
        for j in range(len(xs) - 1, -1, -1):
            node = f"l{k}_{j}"
            cons.append((node, tail))
            value.append((node, xs[j]))
            elems[node] = xs[j:]
            tail = node
    return cons, value, elems


def member(size: int, seed: int) -> World:
    cons, value, elems = _lists(size, seed)
    return {"cons": _df(cons, ("l", "t"), (str, str)), "value": _df(value, ("l", "x"), (str, str)),
            "member": _df([(x, n) for n, xs in elems.items() for x in xs], ("x", "l"), (str, str))}


def length(size: int, seed: int) -> World:
    cons, _, elems = _lists(size, seed)
    longest = max(len(xs) for xs in elems.values())
    w = _numbers(longest + 1)
    w.update({"cons": _df(cons, ("l", "t"), (str, str)), "empty": _df([("nil",)], ("l",), (str,)),
              "length": _df([(n, len(xs)) for n, xs in elems.items()], ("l", "n"), (str, int))})
    return w


# ------------------------------------------------------------------ family

@dataclass
class _Family:
    male: set[str]
    father: set[tuple[str, str]]
    mother: set[tuple[str, str]]
    couples: set[tuple[str, str]]      # (husband, wife), every couple has a child

    @property
    def parent(self) -> set[tuple[str, str]]:
        return self.father | self.mother

    def siblings(self) -> set[tuple[str, str]]:
        kids: dict[tuple[str, str], list[str]] = {}
        for (f, c) in self.father:
            m = next(m for (m, c2) in self.mother if c2 == c)
            kids.setdefault((f, m), []).append(c)
        return {(a, b) for cs in kids.values() for a, b in itertools.permutations(cs, 2)}


def _family(size: int, seed: int) -> _Family:
    """About ``size`` people over three generations of couples with 1-3 children."""
    rng = np.random.default_rng(seed)
    fam = _Family(set(), set(), set(), set())
    counter = itertools.count()

    def person(male: bool) -> str:
        p = f"{'m' if male else 'f'}{next(counter)}"
        if male:
            fam.male.add(p)
        return p

    gen = [person(i % 2 == 0) for i in range(max(4, size // 4))]
    people = list(gen)
    while len(people) < size:
        men = [p for p in gen if p in fam.male]
        women = [p for p in gen if p not in fam.male]
        rng.shuffle(men)
        rng.shuffle(women)
        nxt = []
        for h, w in zip(men, women):
            fam.couples.add((h, w))
            for _ in range(int(rng.integers(1, 4))):
                c = person(bool(rng.random() < 0.5))
                fam.father.add((h, c))
                fam.mother.add((w, c))
                nxt.append(c)
        if not nxt:
            break
        # spouses from outside join the next generation
        gen = nxt + [person(bool(rng.random() < 0.5)) for _ in range(len(nxt) // 2)]
        people += gen
    return fam


def _pairs(rows: set[tuple[str, str]]) -> pl.DataFrame:
    return _df(list(rows), ("x", "y"), (str, str))


def son(size: int, seed: int) -> World:
    f = _family(size, seed)
    sib = f.siblings()
    brother = {(a, b) for a, b in sib if a in f.male}
    sister = {(a, b) for a, b in sib if a not in f.male}
    known_male = {a for a, _ in brother} | {a for a, _ in f.father}
    return {"father": _pairs(f.father), "brother": _pairs(brother), "sister": _pairs(sister),
            "son": _pairs({(c, p) for p, c in f.father if c in known_male})}


def grandparent(size: int, seed: int) -> World:
    f = _family(size, seed)
    par = f.parent
    return {"father": _pairs(f.father), "mother": _pairs(f.mother),
            "grandparent": _pairs({(a, c) for a, b in par for b2, c in par if b == b2})}


def husband(size: int, seed: int) -> World:
    f = _family(size, seed)
    return {"father": _pairs(f.father), "mother": _pairs(f.mother), "husband": _pairs(f.couples)}


def uncle(size: int, seed: int) -> World:
    f = _family(size, seed)
    sib = f.siblings()
    brother = {(a, b) for a, b in sib if a in f.male}
    par = f.parent
    return {"father": _pairs(f.father), "mother": _pairs(f.mother), "brother": _pairs(brother),
            "uncle": _pairs({(u, c) for u, p in brother for p2, c in par if p == p2})}


def father(size: int, seed: int) -> World:
    f = _family(size, seed)
    return {"husband": _pairs(f.couples), "mother": _pairs(f.mother), "father": _pairs(f.father)}


def related(size: int, seed: int) -> World:
    # several separate families, so not everyone is related
    fams = [_family(max(4, size // 3), seed * 7 + k) for k in range(3)]
    parent = {(f"{k}{a}", f"{k}{b}") for k, f in enumerate(fams) for a, b in f.parent}
    sym = parent | {(b, a) for a, b in parent}
    return {"parent": _pairs(parent), "related": _pairs(_closure(sym))}


# ------------------------------------------------------------------ graphs

def _graph(size: int, seed: int, edges_per_node: float = 1.3) -> tuple[list[str], set[tuple[str, str]]]:
    rng = np.random.default_rng(seed)
    nodes = [f"n{i}" for i in range(size)]
    m = int(round(edges_per_node * size))
    edges: set[tuple[str, str]] = set()
    while len(edges) < m:
        a, b = rng.integers(0, size, 2)
        if a != b:
            edges.add((nodes[a], nodes[b]))
    return nodes, edges


def _coloured(size: int, seed: int) -> tuple[list[str], set[tuple[str, str]], dict[str, str]]:
    nodes, edges = _graph(size, seed)
    rng = np.random.default_rng(seed + 1)
    colour = {n: ("red" if rng.random() < 0.4 else "green") for n in nodes}
    return nodes, edges, colour


def _colour_tables(colour: dict[str, str]) -> World:
    return {"colour": _df(list(colour.items()), ("node", "colour"), (str, str)),
            "red": _df([("red",)], ("colour",), (str,)), "green": _df([("green",)], ("colour",), (str,))}


def undirected_edge(size: int, seed: int) -> World:
    _, e = _graph(size, seed)
    return {"edge": _pairs(e), "undirected_edge": _pairs(e | {(b, a) for a, b in e})}


def adjacent_to_red(size: int, seed: int) -> World:
    _, e, colour = _coloured(size, seed)
    w = _colour_tables(colour)
    w.update(edge=_pairs(e), adjacent_to_red=_df([(a,) for a, b in e if colour[b] == "red"], ("x",), (str,)))
    return w


def two_children(size: int, seed: int) -> World:
    nodes, e = _graph(size, seed)
    out = {n: {b for a, b in e if a == n} for n in nodes}
    return {"edge": _pairs(e), "two_children": _df([(n,) for n in nodes if len(out[n]) >= 2], ("x",), (str,))}


def graph_colouring(size: int, seed: int) -> World:
    _, e, colour = _coloured(size, seed)
    w = _colour_tables(colour)
    w.update(edge=_pairs(e), graph_colouring=_df([(a,) for a, b in e if colour[a] == colour[b]], ("x",), (str,)))
    return w


def connectedness(size: int, seed: int) -> World:
    _, e = _graph(size, seed, 1.0)
    return {"edge": _pairs(e), "connected": _pairs(_closure(e))}


def cyclic(size: int, seed: int) -> World:
    """A random graph plus a ring of 4-5 nodes (longer than any cycle a body of three
    ``edge`` literals can close) and a path into and out of it (in and out edges, on
    no cycle), so no fixed-length pattern separates the cyclic nodes."""
    _, e = _graph(size, seed, 1.2)
    k = 4 + int(np.random.default_rng(seed + 7).integers(0, 2))
    ring = [f"c{i}" for i in range(k)]
    e |= {(ring[i], ring[(i + 1) % k]) for i in range(k)}
    e |= {("p0", "p1"), ("p1", ring[0]), (ring[2], "p2"), ("p2", "p3")}
    return {"edge": _pairs(e), "cyclic": _df([(a,) for a, b in _closure(e) if a == b], ("x",), (str,))}


# ------------------------------------------------------------------ the suite

@dataclass(frozen=True)
class Task:
    name: str          # ∂ILP's task name
    target: str        # the target table
    world: Callable[[int, int], World]
    train_size: int
    test_size: int
    program: str       # a reference solution
    invented: int = 0  # auxiliary predicates in ∂ILP's solution
    informative: Callable[[World], bool] | None = None   # a training world must pass this check


def _rows(w: World, name: str) -> set[tuple]:
    return set(w[name].iter_rows())


def _all_grandparent_chains(w: World) -> bool:
    """Each of father-father, father-mother, mother-father and mother-mother gives a
    grandparent pair no other chain gives (the generator may marry siblings, which
    makes chains coincide)."""
    f, m = _rows(w, "father"), _rows(w, "mother")
    chains = [{(a, c) for a, b in p for b2, c in q if b == b2} for p in (f, m) for q in (f, m)]
    return all(c - set().union(*(o for o in chains if o is not c)) for c in chains)


def _son_both_ways(w: World) -> bool:
    """Some son is known male only by having a brother, another only by being a
    father: both clauses of the program are needed."""
    sons = {a for a, _ in _rows(w, "son")}
    brothers, fathers = {a for a, _ in _rows(w, "brother")}, {a for a, _ in _rows(w, "father")}
    return bool(sons & brothers - fathers) and bool(sons & fathers - brothers)


def _uncle_both_ways(w: World) -> bool:
    """Some uncle pair comes only through a father, another only through a mother."""
    b, f, m = _rows(w, "brother"), _rows(w, "father"), _rows(w, "mother")
    via_f = {(u, c) for u, p in b for p2, c in f if p == p2}
    via_m = {(u, c) for u, p in b for p2, c in m if p == p2}
    return bool(via_f - via_m) and bool(via_m - via_f)


def _long_path(w: World) -> bool:
    """Some connected pair is four or more edges apart: no body of three ``edge``
    literals reaches it, so the data asks for recursion."""
    e = _rows(w, "edge")
    near = e | {(a, c) for a, b in e for b2, c in e if b == b2}
    near |= {(a, d) for a, c in near for c2, d in e if c == c2}
    return bool(_rows(w, "connected") - near)


def _colouring_needs_colours(w: World) -> bool:
    """Some node on a two-edge path is not a positive, so the colours matter."""
    e, pos = _rows(w, "edge"), {x for (x,) in _rows(w, "graph_colouring")}
    has_out = {a for a, _ in e}
    return any(a not in pos and b in has_out for a, b in e)


_EVEN = "even(X) :- zero(X).\neven(X) :- even(Y), succ(Y, Z), succ(Z, X)."

TASKS: tuple[Task, ...] = (
    Task("predecessor", "predecessor", predecessor, 10, 30, "predecessor(X, Y) :- succ(Y, X)."),
    Task("even_odd", "even", even, 11, 30, _EVEN, 1),
    Task("even_succ2", "even", even, 11, 30, _EVEN, 1),
    Task("less_than", "less_than", less_than, 10, 25,
         "less_than(X, Y) :- succ(X, Y).\nless_than(X, Y) :- less_than(X, Z), succ(Z, Y)."),
    Task("fizz", "fizz", fizz, 13, 40,
         "fizz(X) :- zero(X).\nfizz(X) :- fizz(Y), inv1(Y, X).\ninv1(X, Y) :- succ(X, Z), inv2(Z, Y).\n"
         "inv2(X, Y) :- succ(X, Z), succ(Z, Y).", 2),
    Task("buzz", "buzz", buzz, 21, 50,
         "buzz(X) :- zero(X).\nbuzz(X) :- buzz(Y), inv1(Y, X).\ninv1(X, Y) :- inv2(X, Z), inv2(Z, W), succ(W, Y).\n"
         "inv2(X, Y) :- succ(X, Z), succ(Z, Y).", 2),
    Task("member", "member", member, 6, 12,
         "member(X, Y) :- value(Y, X).\nmember(X, Y) :- cons(Y, Z), member(X, Z)."),
    Task("length", "length", length, 4, 12,
         "length(X, Y) :- empty(X), zero(Y).\nlength(X, Y) :- cons(X, Z), length(Z, W), succ(W, Y)."),
    Task("son", "son", son, 80, 160,
         "son(X, Y) :- father(Y, X), brother(X, Z).\nson(X, Y) :- father(Y, X), father(X, Z).", 1,
         _son_both_ways),
    Task("grandparent", "grandparent", grandparent, 16, 50,
         "grandparent(X, Y) :- father(X, Z), father(Z, Y).\ngrandparent(X, Y) :- father(X, Z), mother(Z, Y).\n"
         "grandparent(X, Y) :- mother(X, Z), father(Z, Y).\ngrandparent(X, Y) :- mother(X, Z), mother(Z, Y).", 1,
         _all_grandparent_chains),
    Task("husband", "husband", husband, 16, 50, "husband(X, Y) :- father(X, Z), mother(Y, Z)."),
    Task("uncle", "uncle", uncle, 80, 160,
         "uncle(X, Y) :- brother(X, Z), father(Z, Y).\nuncle(X, Y) :- brother(X, Z), mother(Z, Y).", 1,
         _uncle_both_ways),
    Task("relatedness", "related", related, 36, 60,
         "related(X, Y) :- parent(X, Y).\nrelated(X, Y) :- parent(Y, X).\n"
         "related(X, Y) :- related(X, Z), related(Z, Y).", 1),
    Task("father", "father", father, 16, 50, "father(X, Y) :- husband(X, Z), mother(Z, Y)."),
    Task("undirected_edge", "undirected_edge", undirected_edge, 12, 30,
         "undirected_edge(X, Y) :- edge(X, Y).\nundirected_edge(X, Y) :- edge(Y, X)."),
    Task("adjacent_to_red", "adjacent_to_red", adjacent_to_red, 12, 30,
         "adjacent_to_red(X) :- edge(X, Y), colour(Y, Z), red(Z).", 1),
    Task("two_children", "two_children", two_children, 12, 30,
         "two_children(X) :- edge(X, Y), edge(X, Z), Y != Z.", 1),
    Task("graph_colouring", "graph_colouring", graph_colouring, 12, 30,
         "graph_colouring(X) :- edge(X, Y), colour(X, Z), colour(Y, Z).", 1, _colouring_needs_colours),
    Task("connectedness", "connected", connectedness, 8, 30,
         "connected(X, Y) :- edge(X, Y).\nconnected(X, Y) :- edge(X, Z), connected(Z, Y).", 0, _long_path),
    Task("cyclic", "cyclic", cyclic, 8, 30,
         "cyclic(X) :- inv1(X, X).\ninv1(X, Y) :- edge(X, Y).\ninv1(X, Y) :- edge(X, Z), inv1(Z, Y).", 1),
)

BY_NAME = {t.name: t for t in TASKS}


def train_world(task: Task, seed: int = 0) -> World:
    """The small training world. Like ∂ILP's hand-picked examples it must show the
    concept: a random draw with no positives, or one that fails the task's
    ``informative`` check (grandparent: all four parent chains occur), is redrawn
    with the next derived seed."""
    for k in range(100):
        w = task.world(task.train_size, seed + 100_000 * k)
        if len(w[task.target]) and (task.informative is None or task.informative(w)):
            return w
    raise ValueError(f"no informative training world for {task.name} from seed {seed}")


def test_world(task: Task, seed: int = 0) -> World:
    return task.world(task.test_size, 10_000 + seed)
