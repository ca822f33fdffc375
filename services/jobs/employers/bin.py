"""Kazakhstan business identification numbers (BIN/IIN): 12 digits with a mod-11 check digit.

The rule (Government Decree No. 565 of 11 June 2003): weight the first 11 digits 1..11 and take
the sum mod 11; if that is 10, weight them 3..11, 1, 2 instead; if it is 10 again the number is
never issued. The result must equal the 12th digit.
"""

from __future__ import annotations

import random

FIRST_WEIGHTS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


def check_digit(first11: str) -> int | None:
    """Return the check digit of 11 leading digits, or None when no number may end them."""
    digits = [int(c) for c in first11]
    for weights in (FIRST_WEIGHTS, SECOND_WEIGHTS):
        rest = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if rest != 10:
            return rest
    return None


def bin_problem(value: str) -> str | None:
    """Return why ``value`` is not a valid BIN, or None when it is one."""
    if len(value) != 12:
        return f"a BIN has exactly 12 digits, got {len(value)} characters"
    if not value.isascii() or not value.isdigit():
        return "a BIN has digits only"
    expected = check_digit(value[:11])
    if expected is None:
        return "no valid BIN starts with these 11 digits"
    if expected != int(value[11]):
        return f"check digit mismatch: the last digit should be {expected}"
    return None


def random_bin(rng: random.Random) -> str:
    """Return a random BIN with a correct check digit (for test and load data)."""
    while True:
        first = "".join(str(rng.randrange(10)) for _ in range(11))
        digit = check_digit(first)
        if digit is not None:
            return first + str(digit)
