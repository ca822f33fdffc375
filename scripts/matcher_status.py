"""Print how far the matcher's background indexing is (`make status`; `--watch` to follow).

Reads ``GET /sync/status`` of the matcher as the operator: ESCO label stage, feed events applied
of those published, and the timings of each stage since the worker started.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from services.common.launch import suite


def fetch(env: dict[str, str]) -> dict[str, Any] | None:
    """Return the matcher's /sync/status, or None when it does not answer."""
    from services.common import identity

    port = suite.port_of(suite.by_name("matcher"), env)
    req = urllib.request.Request(f"http://127.0.0.1:{port}/sync/status")
    keys = Path(env.get("QABILET_KEYS_DIR") or suite.ROOT / "var" / "keys")
    try:
        for name, value in identity.operator_headers(keys, "matcher").items():
            req.add_header(name, value)
    except Exception:  # no keys yet: the unsigned call says why
        pass
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return dict(json.load(resp))
    except (OSError, ValueError):
        return None


def line(status: dict[str, Any] | None) -> str:
    """Return one line summarising the indexing state."""
    if status is None:
        return "matcher: not answering"
    info = status.get("indexing") or {}
    if not info:
        return f"matcher: {status.get('state')}"
    return (
        f"matcher: {info.get('message')} (labels stage {info.get('stage')}, "
        f"{info.get('seconds')} s since the worker started; timings {info.get('timings')})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--watch", type=float, default=0, help="print every N seconds")
    parser.add_argument("--until-done", action="store_true", help="with --watch: stop when done")
    args = parser.parse_args()
    env = dict(os.environ)
    while True:
        status = fetch(env)
        print(time.strftime("%H:%M:%S"), line(status), flush=True)
        done = bool(status and (status.get("indexing") or {}).get("done"))
        if not args.watch or (args.until_done and done):
            return 0
        time.sleep(args.watch)


if __name__ == "__main__":
    sys.exit(main())
