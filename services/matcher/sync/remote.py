"""Extraction and title matching answered by the worker, shaped like the local model objects."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from services.common.errors import Unavailable

#: How long extraction or title matching may take in the worker.
EXTRACT_WAIT_S = 8.0
RETRY_AFTER = "5"

#: Asks the worker's interactive lane (op, args, timeout); raises TimeoutError or RuntimeError.
Call = Callable[[str, dict[str, Any], float], Any]


class RemoteModel:
    """Extraction or title matching answered by the worker, shaped like the local objects."""

    def __init__(self, call: Call, busy: Callable[[str], Unavailable], op: str) -> None:
        self.call = call
        self.busy = busy  # the 503 with the indexing progress
        self.op = op

    def _call(self, args: dict[str, Any]) -> list[SimpleNamespace]:
        try:
            found = self.call(self.op, args, EXTRACT_WAIT_S)
        except (TimeoutError, RuntimeError) as exc:
            raise self.busy("the skill model is busy") from exc
        if found is None:
            raise Unavailable(
                "the ESCO taxonomy is still being imported — try again in a few seconds",
                headers={"Retry-After": RETRY_AFTER},
            )
        return [SimpleNamespace(**item) for item in found]

    def extract(
        self,
        text: str,
        lang: str | None = None,
        top_k: int = 10,
        min_confidence: float | None = None,
        **_: Any,
    ) -> list[SimpleNamespace]:
        """Extract skills from ``text`` in the worker."""
        return self._call(
            {"text": text, "lang": lang, "top_k": top_k, "min_confidence": min_confidence}
        )

    def match(self, title: str, top_k: int = 10) -> list[SimpleNamespace]:
        """Rank occupations for ``title`` in the worker."""
        return self._call({"title": title, "top_k": top_k})
