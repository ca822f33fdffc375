"""The label warm-up leaves a core to the feed backlog while it is behind."""

from __future__ import annotations

from pathlib import Path

from services.matcher.ml.embedding import FakeEmbedder
from services.matcher.ml.labels import CHUNK, LabelStore, warm

LABELS = [f"label number {i}" for i in range(CHUNK * 5 + 3)]


def test_one_handle_only_while_the_backlog_is_behind(tmp_path: Path) -> None:
    first, second = FakeEmbedder(), FakeEmbedder()
    store = LabelStore(tmp_path / "labels", first.dim)
    warm(store, LABELS, [first, second], helpers=lambda: 1)
    assert second.texts_encoded == 0  # the second core stayed with the backlog
    assert first.texts_encoded == len(LABELS)
    assert store.missing(LABELS) == []
    again = LabelStore(tmp_path / "labels", first.dim)  # and a restart finds them on disk
    assert again.missing(LABELS) == []


def test_both_handles_encode_each_label_once_when_nothing_waits(tmp_path: Path) -> None:
    first, second = FakeEmbedder(), FakeEmbedder()
    store = LabelStore(tmp_path / "labels", first.dim)
    warm(store, [*LABELS, *LABELS[:10]], [first, second], helpers=lambda: 2)
    assert first.texts_encoded + second.texts_encoded == len(LABELS)
    assert store.missing(LABELS) == []
