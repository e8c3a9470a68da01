"""Backward and forward agree on any genealogy, and both match a plain reachability computed in Python.

Hypothesis draws graphs the operations would and would not write (cycles, units in several
containers' chains, parallel lot- and unit-level edges); for every pair of units, A is in
backward(B) exactly when B is in forward(A), with the same precision, and both equal what a
breadth-first search over the same edges finds.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from models import trace
from models.schema import ContainerLevel, LinkLevel, Unit
from models.trace import Precision
from tests.models.genealogy import Genealogy
from tests.support import Plant


@dataclass(frozen=True)
class Graph:
    kinds: tuple[str, ...]  # "lot" | "serial" | "container" per unit
    links: frozenset[tuple[int, int, LinkLevel]]
    container_of: dict[int, int]


@st.composite
def graphs(draw: st.DrawFn) -> Graph:
    kinds = tuple(draw(st.lists(st.sampled_from(["lot", "serial", "container"]), min_size=2, max_size=8)))
    n = len(kinds)
    pair = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda p: p[0] != p[1])
    links = draw(
        st.frozensets(
            st.builds(lambda p, level: (p[0], p[1], level), pair, st.sampled_from(list(LinkLevel))),
            max_size=12,
        )
    )
    containers = [index for index, kind in enumerate(kinds) if kind == "container"]
    container_of: dict[int, int] = {}
    if containers:
        for index in range(n):
            target = draw(st.one_of(st.none(), st.sampled_from(containers)))
            if target is not None and target != index:
                container_of[index] = target
    return Graph(kinds, links, container_of)


def reference(graph: Graph, start: int, forward: bool) -> dict[int, Precision]:
    """Breadth-first over (unit, all-unit-level-so-far) states: the definition the SQL must meet."""
    steps: dict[int, list[tuple[int, bool]]] = {}
    for source, target, level in graph.links:
        a, b = (source, target) if forward else (target, source)
        steps.setdefault(a, []).append((b, level is not LinkLevel.LOT))
    for unit, container in graph.container_of.items():
        a, b = (unit, container) if forward else (container, unit)
        steps.setdefault(a, []).append((b, True))
    seen = {(start, True)}
    queue = deque(seen)
    while queue:
        node, exact = queue.popleft()
        for nxt, certain in steps.get(node, ()):
            state = (nxt, exact and certain)
            if state not in seen:
                seen.add(state)
                queue.append(state)
    best: dict[int, bool] = {}
    for node, exact in seen:
        if node != start:
            best[node] = best.get(node, False) or exact
    return {node: Precision.CONTAINS if exact else Precision.MAY_CONTAIN for node, exact in best.items()}


def build(plant: Plant, graph: Graph) -> Genealogy:
    g = Genealogy(plant)
    for index, kind in enumerate(graph.kinds):
        if kind == "lot":
            g.lot(str(index))
        elif kind == "serial":
            g.serial(str(index))
        else:
            g.container(str(index), ContainerLevel.CARTON)
    for source, target, level in sorted(graph.links):
        g.link(str(source), str(target), level)
    for unit, container in graph.container_of.items():
        g.session.execute(
            update(Unit).where(Unit.id == g.ids[str(unit)]).values(container_id=g.ids[str(container)])
        )
    return g.commit()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(graph=graphs())
def test_backward_and_forward_agree_and_match_reachability(plant: Plant, graph: Graph) -> None:
    g = build(plant, graph)
    try:
        names = {g.code(str(index)): index for index in range(len(graph.kinds))}
        forward: dict[int, dict[int, Precision]] = {}
        backward: dict[int, dict[int, Precision]] = {}
        for index in range(len(graph.kinds)):
            for direction, store, query in (
                (True, forward, trace.forward),
                (False, backward, trace.backward),
            ):
                result = query(plant.db, g.code(str(index)))
                got = {
                    names[node.code]: node.precision
                    for node in result.nodes.values()
                    if node.id not in result.root_ids
                }
                assert got == reference(graph, index, direction), (direction, index)
                store[index] = got
        for a in forward:
            for b in backward:
                assert (b in forward[a]) == (a in backward[b])
                if b in forward[a]:
                    assert forward[a][b] == backward[b][a]
    finally:
        g.close()
