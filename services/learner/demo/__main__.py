"""Run the demo seed: ``python -m services.learner.demo``."""

import sys

from .cli import main

sys.exit(main())
