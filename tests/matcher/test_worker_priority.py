"""The worker's background lanes run below its interactive lane (per-thread niceness, Linux)."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from services.matcher.sync.worker import BACKGROUND_NICE, in_background

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="per-thread niceness is Linux's")


def _nice_of_this_thread() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def test_a_background_lane_and_the_threads_it_starts_run_at_nice_19() -> None:
    before = _nice_of_this_thread()
    seen: dict[str, int] = {}

    def helper() -> None:  # e.g. the second label encoder the warm-up starts
        seen["helper"] = _nice_of_this_thread()

    def lane() -> None:
        seen["lane"] = _nice_of_this_thread()
        child = threading.Thread(target=helper)
        child.start()
        child.join()

    thread = threading.Thread(target=in_background(lane))
    thread.start()
    thread.join()
    assert seen == {"lane": BACKGROUND_NICE, "helper": BACKGROUND_NICE}
    # The calling thread (the interactive lane, the pipe reader) keeps its own niceness.
    assert _nice_of_this_thread() == before < BACKGROUND_NICE
