"""Command line of the demo seed.

Usage::

    python -m services.learner.demo --learners N [--seed S] [--force] [--hires]
        [--reporters '{"AI-Sana": "provider:<account id>", ...}']
    python -m services.learner.demo --hires-only
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Sequence

from services.common.db import init_db

from ..courses.models import Course
from ..outcomes.models import Outcome
from ..settings import ALIAS, Settings
from . import hires
from .service import existing_completers, generate


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line."""
    parser = argparse.ArgumentParser(prog="python -m services.learner.demo")
    parser.add_argument("--learners", type=int, default=0, help="how many to create")
    parser.add_argument("--seed", type=int, default=0, help="random seed (same seed, same data)")
    parser.add_argument("--force", action="store_true", help="add even if learners exist")
    parser.add_argument(
        "--hires",
        action="store_true",
        help="also hire some who completed a course, through the running jobs service",
    )
    parser.add_argument(
        "--hires-only",
        action="store_true",
        help="only generate hires for the learners already there (if none are recorded yet)",
    )
    parser.add_argument(
        "--reporters",
        default="{}",
        help="JSON: demo provider name -> reported_by of its completions (provider:<account id>)",
    )
    args = parser.parse_args(argv)
    try:
        reporters = json.loads(args.reporters)
    except ValueError:
        reporters = None
    if not isinstance(reporters, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in reporters.items()
    ):
        parser.error("--reporters must be a JSON object of names to strings")
    if args.learners < 0:
        parser.error("--learners must not be negative")
    if not args.learners and not args.hires_only:
        parser.error("give --learners N (or --hires-only)")
    settings = Settings.from_env()
    init_db(settings, ALIAS)
    jobs = hires.jobs_call(settings) if args.hires or args.hires_only else None
    if args.hires_only:
        assert jobs is not None
        if Outcome.objects.first():
            print("hires are already recorded; nothing added")
            return 0
        hired = hires.hire(random.Random(args.seed + 1), existing_completers(), jobs)
        print(hired.render())
        return 0
    if not Course.objects.first():
        print("no courses yet: learners get no enrolments (run the course importer first)")
    summary = generate(
        args.learners,
        seed=args.seed,
        force=args.force,
        progress=sys.stderr.isatty(),
        jobs=jobs,
        reporters=reporters,
    )
    print(summary.render())
    return 0
