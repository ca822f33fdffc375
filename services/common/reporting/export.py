"""Reports as CSV downloads, when the client asks for them."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from flask import Response, request


def wants_csv(fmt: str | None) -> bool:
    """Tell whether the client asked for CSV (``?format=csv`` or ``Accept: text/csv``)."""
    if fmt is not None:
        return fmt == "csv"
    accept = request.accept_mimetypes
    return accept["text/csv"] > accept["application/json"]


def csv_response(
    header: Sequence[str], rows: Iterable[Mapping[str, Any]], filename: str
) -> Response:
    """Return rows as a CSV download (empty for None; numbers as they are)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(header), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in header})
    resp = Response(buf.getvalue(), mimetype="text/csv")
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp
