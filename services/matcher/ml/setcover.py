"""Which courses to take: the fewest hours that teach the missing skills, prerequisites first.

Weighted set cover where choosing a course also means taking its prerequisites (and paying their
hours). Greedy picks the course (with its not-yet-chosen prerequisites) with the fewest hours per
newly covered skill, then drops courses whose skills the others already cover. When the pool of
candidate courses is small the cover is solved exactly as a 0/1 program (scipy's HiGHS MILP):
minimise hours subject to every coverable skill covered and every chosen course's prerequisites
chosen. A gap of a few skills has few choices of one teaching course per skill, so those are
all tried instead (the same optimum, without the solver's set-up cost). The exact answer is kept
only if it is no worse, so a solver hiccup never hurts.

Stability: a real catalogue offers hundreds of courses for a few missing skills, almost all of
them dominated (another standalone course teaches at least the same needed skills in no more
hours). They are dropped first, so the exact program usually applies; its optimum does not move
between visits and never grows when courses are added, where greedy's answer can jump either
way. When even the undominated pool is too large, the exact program runs over a shortlist
(greedy's courses plus the cheapest few per skill), so the answer is never worse than greedy's.
The solver is bounded by nodes, not only by wall-clock time, so the answer does not depend on
how loaded the machine is.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

#: Added per course to the exact objective so that, at equal hours, fewer courses win.
PER_COURSE = 1e-3
#: Branch-and-bound nodes the exact program may explore (deterministic, unlike a time limit).
NODE_LIMIT = 20_000
#: Most teacher choices (product over skills) tried by enumeration before the 0/1 program runs.
ENUMERATE_MAX = 4096
#: Wall-clock safety net only; the node limit is what normally bounds the search.
TIME_LIMIT = 30.0


@dataclass(frozen=True)
class Option:
    """A course as the cover sees it."""

    id: str
    hours: float
    skills: frozenset[str]
    prerequisites: tuple[str, ...] = ()


@dataclass
class Cover:
    """The chosen courses in taking order, what they cover, and what nothing covers."""

    selected: list[str] = field(default_factory=list)
    covered: set[str] = field(default_factory=set)
    uncoverable: set[str] = field(default_factory=set)
    hours: float = 0.0
    method: str = "none"
    cycle: bool = False


def closure(course: str, options: Mapping[str, Option], done: Iterable[str] = ()) -> list[str]:
    """Return the course and every prerequisite it needs (recursively), minus those done."""
    skip = set(done)
    out: list[str] = []
    seen: set[str] = set()
    stack = [course]
    while stack:
        cid = stack.pop()
        if cid in seen or cid in skip or cid not in options:
            continue
        seen.add(cid)
        out.append(cid)
        stack.extend(options[cid].prerequisites)
    return out


def _skills(ids: Iterable[str], options: Mapping[str, Option]) -> set[str]:
    out: set[str] = set()
    for cid in ids:
        out |= options[cid].skills
    return out


def _hours(ids: Iterable[str], options: Mapping[str, Option]) -> float:
    return float(sum(options[c].hours for c in ids))


def _greedy(
    coverable: set[str], candidates: list[str], options: Mapping[str, Option], done: set[str]
) -> set[str]:
    chosen: set[str] = set()
    uncovered = set(coverable)
    closures = {c: closure(c, options, done) for c in candidates}
    while uncovered:
        best: tuple[float, float, str] | None = None
        best_add: list[str] = []
        for cid in candidates:
            if cid in chosen:
                continue
            add = [x for x in closures[cid] if x not in chosen]
            gain = len(uncovered & _skills(add, options))
            if gain == 0:
                continue
            cost = _hours(add, options)
            key = (cost / gain, cost, cid)
            if best is None or key < best:
                best, best_add = key, add
        if best is None:
            break
        chosen.update(best_add)
        uncovered -= _skills(best_add, options)
    return _prune(chosen, coverable, options, done)


def _prune(
    chosen: set[str], coverable: set[str], options: Mapping[str, Option], done: set[str]
) -> set[str]:
    """Drop courses (most hours first) that nothing needs: no skill lost, no one's prerequisite."""
    kept = set(chosen)
    for cid in sorted(chosen, key=lambda c: (-options[c].hours, c)):
        rest = kept - {cid}
        needed_as_prereq = any(cid in closure(o, options, done)[1:] for o in rest)
        if not needed_as_prereq and coverable <= _skills(rest, options):
            kept = rest
    return kept


def _enumerated(
    coverable: set[str], pool: list[str], options: Mapping[str, Option], done: set[str]
) -> set[str] | None:
    """Return the optimum by trying every choice of one teaching course per skill (bounded).

    A cover with nothing to spare is the union of, per skill, one course teaching it with that
    course's prerequisite closure; so the cheapest such union over every choice is the optimum
    of the 0/1 program (same objective), found without building it. Ties go to the smallest
    sorted list of ids. Returns None when the choices are too many to try.
    """
    inside = set(pool)
    chains = {c: frozenset(x for x in closure(c, options, done) if x in inside) for c in pool}
    branches: list[tuple[str, list[str]]] = [
        (skill, [c for c in pool if skill in options[c].skills]) for skill in sorted(coverable)
    ]
    branches.sort(key=lambda b: len(b[1]))  # the scarcest skill first: fewest branches at the root
    if math.prod(len(b[1]) for b in branches) > ENUMERATE_MAX:
        return None
    cost_of = {c: options[c].hours + PER_COURSE for c in pool}
    best: tuple[float, tuple[str, ...]] | None = None

    def walk(depth: int, chosen: frozenset[str], covered: frozenset[str], cost: float) -> None:
        nonlocal best
        if best is not None and cost > best[0] + 1e-9:
            return
        while depth < len(branches) and branches[depth][0] in covered:
            depth += 1  # a skill an earlier choice already teaches needs no branch of its own
        if depth == len(branches):
            key = (round(cost, 9), tuple(sorted(chosen)))
            if best is None or key < best:
                best = key
            return
        for cid in branches[depth][1]:
            add = chains[cid] - chosen
            taught = covered.union(*(options[c].skills for c in add))
            walk(depth + 1, chosen | add, taught, cost + sum(cost_of[c] for c in add))

    walk(0, frozenset(), frozenset(), 0.0)
    return None if best is None else set(best[1])


def _exact(
    coverable: set[str], pool: list[str], options: Mapping[str, Option], done: set[str]
) -> set[str] | None:
    from scipy.optimize import Bounds, LinearConstraint, milp

    index = {c: i for i, c in enumerate(pool)}
    rows: list[np.ndarray] = []
    lower: list[float] = []
    upper: list[float] = []
    for skill in sorted(coverable):
        row = np.zeros(len(pool))
        for cid in pool:
            if skill in options[cid].skills:
                row[index[cid]] = 1.0
        rows.append(row)
        lower.append(1.0)
        upper.append(np.inf)
    for cid in pool:
        for pre in options[cid].prerequisites:
            if pre in index and pre not in done:
                row = np.zeros(len(pool))
                row[index[cid]], row[index[pre]] = 1.0, -1.0
                rows.append(row)
                lower.append(-np.inf)
                upper.append(0.0)
    cost = np.array([options[c].hours + PER_COURSE for c in pool])
    result = milp(
        cost,
        constraints=LinearConstraint(np.array(rows), lower, upper),
        integrality=np.ones(len(pool)),
        bounds=Bounds(0, 1),
        options={"node_limit": NODE_LIMIT, "time_limit": TIME_LIMIT},
    )
    # Past a limit HiGHS still returns its best feasible cover; the caller checks and compares it.
    if result.x is None:
        return None
    return {pool[i] for i, v in enumerate(result.x) if v > 0.5}


def undominated(
    candidates: list[str], coverable: set[str], options: Mapping[str, Option], done: set[str]
) -> list[str]:
    """Drop standalone courses another standalone course beats on needed skills and hours.

    A standalone course has no prerequisite left to take and is no pool course's prerequisite,
    so swapping it for one that teaches a superset of its needed skills in no more hours never
    makes a cover worse. Ties keep the smaller id, so the pool is the same whatever the order.
    """
    pool = {x for c in candidates for x in closure(c, options, done)}
    needed_first = {p for c in pool for p in options[c].prerequisites if p in pool}
    standalone = [
        c for c in candidates if c not in needed_first and closure(c, options, done) == [c]
    ]
    alone = set(standalone)
    others = [c for c in candidates if c not in alone]
    cheapest: dict[frozenset[str], str] = {}
    for cid in standalone:
        sig = options[cid].skills & frozenset(coverable)
        held = cheapest.get(sig)
        if held is None or (options[cid].hours, cid) < (options[held].hours, held):
            cheapest[sig] = cid
    kept: list[tuple[frozenset[str], str]] = []
    ranked = sorted(cheapest.items(), key=lambda kv: (options[kv[1]].hours, -len(kv[0]), kv[1]))
    for sig, cid in ranked:
        # Everything kept so far costs no more hours; a superset of skills among them wins.
        if not any(sig <= other for other, _ in kept):
            kept.append((sig, cid))
    return sorted([cid for _, cid in kept] + others)


def _value(option: Option, need: set[str]) -> tuple[float, str]:
    gain = len(option.skills & need)
    return (-gain / max(option.hours, 1e-6), option.id)


def order(
    selected: Iterable[str], options: Mapping[str, Option], need: set[str], done: Iterable[str] = ()
) -> tuple[list[str], bool]:
    """Return the courses in taking order (prerequisites first) and whether a cycle was broken.

    Among the courses whose prerequisites are met, the one teaching the most still-missing
    skills per hour goes first, so the "what if" numbers rise as early as they can.
    """
    todo = set(selected)
    placed: set[str] = set(done)
    remaining_need = set(need)
    out: list[str] = []
    cycle = False
    while todo:
        ready = [
            c for c in todo if all(p in placed or p not in todo for p in options[c].prerequisites)
        ]
        if not ready:
            # A prerequisite cycle in the catalogue: take the course with fewest unmet ones.
            cycle = True
            ready = [min(todo, key=lambda c: (sum(p in todo for p in options[c].prerequisites), c))]

        nxt = min(ready, key=lambda c: _value(options[c], remaining_need))
        out.append(nxt)
        placed.add(nxt)
        todo.discard(nxt)
        remaining_need -= options[nxt].skills
    return out, cycle


def _shortlist(
    coverable: set[str],
    candidates: list[str],
    chosen: set[str],
    options: Mapping[str, Option],
    done: set[str],
    size: int,
) -> list[str]:
    """Return greedy's courses and, per skill, the cheapest per hour taught, up to ``size``."""
    pool = set(chosen)
    per_skill = max(1, (size - len(pool)) // max(len(coverable), 1))

    def cost(cid: str) -> tuple[float, float, str]:
        add = closure(cid, options, done)
        gain = len(_skills(add, options) & coverable)
        return (_hours(add, options) / max(gain, 1), _hours(add, options), cid)

    ranked = sorted(candidates, key=cost)
    for skill in sorted(coverable):
        teaching = [c for c in ranked if skill in options[c].skills][:per_skill]
        for cid in teaching:
            pool.update(closure(cid, options, done))
    return sorted(pool) if len(pool) <= size else []


def solve(
    need: set[str],
    options: Mapping[str, Option],
    done: Iterable[str] = (),
    *,
    exact_max: int = 40,
) -> Cover:
    """Return the cheapest cover (in hours) of ``need`` by ``options`` not already ``done``."""
    done_set = set(done)
    available = {c: o for c, o in options.items() if c not in done_set}
    coverable = need & _skills(available, available)
    candidates = sorted(c for c, o in available.items() if o.skills & coverable)
    if not coverable:
        return Cover(uncoverable=set(need))
    candidates = undominated(candidates, coverable, options, done_set)
    chosen = _greedy(coverable, candidates, options, done_set)
    method, exact_kind = "greedy", "exact"
    pool = sorted({x for c in candidates for x in closure(c, options, done_set)})
    if len(pool) > exact_max:
        # Too many for the exact program: solve it over greedy's courses plus the cheapest few
        # per skill instead. No worse than greedy, and far less sensitive to what else exists.
        pool = _shortlist(coverable, candidates, chosen, options, done_set, exact_max)
        exact_kind = "shortlist"
    if pool:
        # A gap of a few skills has few choices: trying them all is exact and ~50x cheaper
        # than setting up the solver (most trainable candidates lack one or two skills).
        exact = _enumerated(coverable, pool, options, done_set)
        if exact is None:
            exact = _exact(coverable, pool, options, done_set)
        valid = exact is not None and coverable <= _skills(exact, options)
        if valid and exact is not None and _hours(exact, options) <= _hours(chosen, options) + 1e-9:
            chosen, method = exact, exact_kind
    ordered, cycle = order(chosen, options, coverable, done_set)
    return Cover(
        selected=ordered,
        covered=coverable,
        uncoverable=need - coverable,
        hours=round(_hours(chosen, options), 4),
        method=method,
        cycle=cycle,
    )
