"""The course cover: cheapest hours, prerequisites first and ordered, uncoverable listed."""

from __future__ import annotations

import itertools

import pytest

from services.matcher.ml.setcover import Option, closure, order, solve


def opt(cid: str, hours: float, skills: str, prereqs: str = "") -> Option:
    return Option(cid, hours, frozenset(skills), tuple(p for p in prereqs.split(",") if p))


def _brute_force_hours(need: set[str], options: dict[str, Option]) -> float:
    best = float("inf")
    ids = list(options)
    for r in range(1, len(ids) + 1):
        for combo in itertools.combinations(ids, r):
            chosen = set(combo)
            if any(p not in chosen for c in chosen for p in options[c].prerequisites):
                continue
            taught = set().union(*(options[c].skills for c in chosen))
            if need <= taught:
                best = min(best, sum(options[c].hours for c in chosen))
    return best


def test_greedy_trap_is_solved_exactly() -> None:
    # Greedy takes the 4-skill course first (0.9 h/skill), then needs B: 3.6 + 3 = 6.6 h.
    options = {
        "trap": opt("trap", 3.6, "1234"),
        "A": opt("A", 3, "123"),
        "B": opt("B", 3, "456"),
    }
    need = set("123456")

    greedy = solve(need, options, exact_max=0)
    exact = solve(need, options)

    assert (greedy.method, greedy.hours) == ("greedy", 6.6)
    assert (exact.method, sorted(exact.selected), exact.hours) == ("exact", ["A", "B"], 6.0)


def test_cover_covers_every_coverable_skill_and_lists_the_rest() -> None:
    options = {"x": opt("x", 5, "ab"), "y": opt("y", 2, "c")}

    cover = solve(set("abcz"), options)

    assert cover.covered == set("abc")
    assert cover.uncoverable == {"z"}
    assert set(cover.selected) == {"x", "y"}


def test_prerequisites_are_pulled_in_counted_and_ordered_first() -> None:
    options = {
        "advanced": opt("advanced", 10, "ab", prereqs="basics"),
        "basics": opt("basics", 4, "", prereqs="intro"),
        "intro": opt("intro", 1, ""),
        "solo-a": opt("solo-a", 9, "a"),
        "solo-b": opt("solo-b", 9, "b"),
    }

    cover = solve({"a", "b"}, options)

    assert cover.selected == ["intro", "basics", "advanced"]
    assert cover.hours == 15


def test_a_prerequisite_already_completed_is_neither_taken_nor_paid() -> None:
    options = {
        "advanced": opt("advanced", 10, "ab", prereqs="basics"),
        "basics": opt("basics", 8, ""),
        "solo-a": opt("solo-a", 6, "a"),
        "solo-b": opt("solo-b", 6, "b"),
    }

    assert solve({"a", "b"}, options).hours == 12
    done = solve({"a", "b"}, options, done=["basics"])
    assert (done.selected, done.hours) == (["advanced"], 10)


def test_redundant_courses_are_pruned_from_the_greedy_cover() -> None:
    # Greedy first takes "ab" (1 h/skill), then "cd" (1 h/skill), then needs "e": "abcde" at 4.9
    # would have done it alone; after "abcde", nothing else is needed.
    options = {
        "ab": opt("ab", 2, "ab"),
        "cd": opt("cd", 2, "cd"),
        "big": opt("big", 4.9, "abcde"),
    }

    cover = solve(set("abcde"), options, exact_max=0)

    assert cover.selected == ["big"]
    assert cover.hours == 4.9


def test_order_never_puts_a_course_before_its_prerequisite() -> None:
    options = {
        c: opt(c, 1, c, prereqs=p)
        for c, p in [("a", ""), ("b", "a"), ("c", "a,b"), ("d", ""), ("e", "d,c")]
    }

    ordered, cycle = order(options, options, set("abcde"))

    position = {c: i for i, c in enumerate(ordered)}
    assert not cycle and sorted(ordered) == list("abcde")
    for c, o in options.items():
        assert all(position[p] < position[c] for p in o.prerequisites)


def test_prerequisite_cycle_is_broken_not_looped() -> None:
    options = {"a": opt("a", 1, "a", prereqs="b"), "b": opt("b", 1, "b", prereqs="a")}

    cover = solve({"a", "b"}, options)

    assert sorted(cover.selected) == ["a", "b"] and cover.cycle


def test_closure_skips_unknown_and_done_courses() -> None:
    options = {
        "a": opt("a", 1, "a", prereqs="b,ghost"),
        "b": opt("b", 1, "", prereqs="c"),
        "c": opt("c", 1, ""),
    }
    assert set(closure("a", options)) == {"a", "b", "c"}
    assert set(closure("a", options, done=["b"])) == {"a"}


@pytest.mark.parametrize("seed", range(12))
def test_exact_cover_matches_brute_force_on_random_catalogues(seed: int) -> None:
    import random

    rnd = random.Random(seed)
    skills = "abcdefgh"
    options: dict[str, Option] = {}
    for i in range(9):
        prereqs = [f"k{j}" for j in range(i) if rnd.random() < 0.15]
        taught = "".join(s for s in skills if rnd.random() < 0.3)
        options[f"k{i}"] = opt(f"k{i}", rnd.randint(1, 20), taught, ",".join(prereqs))
    need = set(skills)
    cover = solve(need, options)
    coverable = need & set().union(*(o.skills for o in options.values()))

    assert cover.uncoverable == need - coverable
    assert cover.hours == pytest.approx(_brute_force_hours(coverable, options))
    position = {c: i for i, c in enumerate(cover.selected)}
    for c in cover.selected:
        assert all(position[p] < position[c] for p in options[c].prerequisites)


def _catalogue(seed: int, n: int) -> dict[str, Option]:
    """Return ``n`` standalone courses over 8 skills, many teaching the same few skills."""
    import random

    rnd = random.Random(seed)
    options: dict[str, Option] = {}
    for i in range(n):
        taught = "".join(s for s in "abcdefgh" if rnd.random() < 0.2) or "a"
        options[f"c{i:04d}"] = opt(f"c{i:04d}", float(rnd.choice([4, 8, 12, 20, 40])), taught)
    return options


def test_a_large_catalogue_is_solved_exactly_once_dominated_courses_are_dropped() -> None:
    options = _catalogue(1, 600)

    cover = solve(set("abcdefgh"), options, exact_max=40)

    assert cover.method == "exact"
    assert cover.hours <= solve(set("abcdefgh"), options, exact_max=0).hours


def test_the_cover_is_the_same_whatever_order_the_courses_arrive_in() -> None:
    import random

    options = _catalogue(2, 400)
    ids = list(options)
    answers = set()
    for seed in range(5):
        random.Random(seed).shuffle(ids)
        cover = solve(set("abcdefgh"), {c: options[c] for c in ids})
        answers.add((tuple(cover.selected), cover.hours, cover.method))

    assert len(answers) == 1


def test_more_courses_in_the_catalogue_never_make_the_path_longer() -> None:
    # While the matcher indexes a catalogue, each visit sees more courses; greedy alone went
    # 52 -> 20 -> 28 h on this one as courses arrived (the 140 -> 56 -> 193 h of issue 11).
    options = _catalogue(12, 300)
    ids = sorted(options)
    totals = []
    for size in range(20, 301, 20):
        pool = {c: options[c] for c in ids[:size]}
        cover = solve(set("abcdefgh"), pool)
        if not cover.uncoverable:
            totals.append(cover.hours)

    assert totals and totals == sorted(totals, reverse=True)


def test_a_pool_too_large_for_the_exact_program_is_solved_over_a_shortlist() -> None:
    import random

    rnd = random.Random(9)
    skills = "abcdefghijklmnopqrst"
    options = {
        f"c{i:04d}": opt(
            f"c{i:04d}",
            float(rnd.choice([4, 8, 12, 20, 40, 60])),
            "".join(s for s in skills if rnd.random() < 0.12) or "a",
        )
        for i in range(2000)
    }

    cover = solve(set(skills), options, exact_max=40)

    assert cover.method == "shortlist"
    assert cover.hours <= solve(set(skills), options, exact_max=0).hours
    assert not cover.uncoverable
