"""The matcher's per-process state: models (loaded lazily), taxonomy, caches and indexes.

Every gunicorn worker that serves recommendations holds its own indexes, rebuilt at start from
the matcher's database and the embedding cache (sync/rebuild.py; nothing is re-encoded), then
kept current by the feed followers. See README.md for why the matcher runs one worker with
several threads.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from services.common.http import client_for
from services.matcher.esco.concepts import Catalog
from services.matcher.ml.embedding import Embedder, Kind, canonical_name, get_embedder
from services.matcher.ml.extraction import SkillExtractor
from services.matcher.ml.occupations import OccupationMatcher
from services.matcher.recommend.rows import Indexes
from services.matcher.settings import Settings
from services.matcher.sync.cache import EmbeddingCache

#: Every stored item is embedded as a "query": e5 asks for that prefix on symmetric matching.
DOC_KIND: Kind = "query"
CATALOG_RETRY_S = 30.0


class NotIndexedYet(Exception):
    """The item is not in the indexes and the interactive lane could not index it in time."""

    def __init__(self, kind: str, item_id: str, progress: dict[str, Any] | None) -> None:
        super().__init__(f"{kind} {item_id} is not indexed yet")
        self.kind = kind
        self.item_id = item_id
        self.progress = progress


class Owners(Protocol):
    """Reads one learner or vacancy the feeds have not brought yet from the service owning it."""

    def fetch_learner(self, learner_id: str) -> bool:
        """Index a learner read from the learner service; False when there is none."""
        ...

    def fetch_vacancy(self, vacancy_id: str) -> bool:
        """Index a vacancy read from the jobs service; False when there is none."""
        ...


class Remote(Owners, Protocol):
    """The background worker seen from the web process: it reads owners and runs the models."""

    def extractor(self) -> Any:
        """Return the worker's skill extractor (a proxy), or None until ESCO is imported."""
        ...

    def occupation_matcher(self) -> Any:
        """Return the worker's title matcher (a proxy), or None until ESCO is imported."""
        ...

    def indexing(self) -> dict[str, Any]:
        """Return how far indexing is (shown with provisional answers)."""
        ...


class Matcher(Indexes):
    """Everything one process needs to answer matching requests."""

    def __init__(
        self,
        settings: Settings,
        *,
        embedder: Embedder | None = None,
        learner_client: Any = None,
        jobs_client: Any = None,
        owners: Callable[[Matcher], Owners] | None = None,
        remote: Callable[[Matcher], Remote] | None = None,
        staged: bool = False,
    ) -> None:
        """Build the state; ``owners`` or ``remote`` builds the owner reads over this matcher.

        ``remote`` (the web process) builds the worker bridge, which also runs the models;
        ``staged`` (the worker) means the worker sets the models stage by stage.
        """
        super().__init__(settings)
        self.show_progress = False
        self._embedder = embedder
        self.model_name = (
            embedder.name if embedder is not None else canonical_name(settings.embedder)
        )
        self.cache = EmbeddingCache(self.model_name, self.embedder)
        self.learner_client = learner_client or client_for(settings, "learner", timeout=10.0)
        self.jobs_client = jobs_client or client_for(settings, "jobs", timeout=10.0)
        self.state = "new"
        self.load_error: str | None = None
        self._catalog: Catalog | None = None
        self._catalog_retry = 0.0
        self._extractor: SkillExtractor | None = None
        self._occupations: OccupationMatcher | None = None
        self._lazy = threading.Lock()
        self.staged = staged
        # How long provisional answers waited for the owner's record (for /sync/status).
        self.owner_read_ms: deque[dict[str, float]] = deque(maxlen=500)
        self.remote = remote(self) if remote is not None else None
        self.owners: Owners | None = self.remote or (owners(self) if owners else None)

    # ----- reading from owners -----

    def fetch_learner(self, learner_id: str) -> bool:
        """Index a learner the feeds have not reached yet, straight from its owner."""
        return self.owners is not None and self.owners.fetch_learner(learner_id)

    def fetch_vacancy(self, vacancy_id: str) -> bool:
        """Index a vacancy the feeds have not reached yet, straight from its owner."""
        return self.owners is not None and self.owners.fetch_vacancy(vacancy_id)

    def indexing(self) -> dict[str, Any] | None:
        """Return the indexing progress when a background worker indexes (else None)."""
        return self.remote.indexing() if self.remote is not None else None

    # ----- lazily loaded parts -----

    def embedder(self) -> Embedder:
        """Return the embedding model, loading it once per process on first use."""
        if self._embedder is None:
            with self._lazy:
                if self._embedder is None:
                    self._embedder = get_embedder(
                        self.model_name, threads=self.settings.embed_threads
                    )
        return self._embedder

    def catalog(self) -> Catalog:
        """Return the taxonomy (looked for again every 30 s while none is imported)."""
        catalog = self._catalog
        if catalog is not None and (len(catalog) or time.monotonic() < self._catalog_retry):
            return catalog
        with self._lazy:
            if self._catalog is None or not len(self._catalog):
                self._catalog = Catalog.load()
                self._catalog_retry = time.monotonic() + CATALOG_RETRY_S
            return self._catalog

    def forget_catalog(self) -> None:
        """Read the taxonomy again on next use (it was imported meanwhile)."""
        self._catalog = None

    def extractor(self) -> SkillExtractor | None:
        """Return the skill extractor over the stored taxonomy (None until ESCO is imported)."""
        if self.remote is not None:
            return self.remote.extractor()  # type: ignore[no-any-return]
        if self._extractor is None and not self.staged:
            catalog = self.catalog()
            if len(catalog) == 0:
                return None
            embedder = self.embedder()
            with self._lazy:
                if self._extractor is None:
                    self._extractor = SkillExtractor(
                        list(catalog.skills.values()),
                        embedder,
                        cache_dir=self.label_cache_dir(),
                        show_progress_bar=self.show_progress,
                    )
        return self._extractor

    def occupation_matcher(self) -> OccupationMatcher | None:
        """Return the title matcher over the stored occupations (None until ESCO is imported)."""
        if self.remote is not None:
            return self.remote.occupation_matcher()  # type: ignore[no-any-return]
        if self._occupations is None and not self.staged:
            catalog = self.catalog()
            if not catalog.occupations:
                return None
            embedder = self.embedder()
            with self._lazy:
                if self._occupations is None:
                    self._occupations = OccupationMatcher(
                        list(catalog.occupations.values()),
                        embedder,
                        cache_dir=self.label_cache_dir(),
                        show_progress_bar=self.show_progress,
                    )
        return self._occupations

    def use_extractor(self, extractor: SkillExtractor) -> None:
        """Answer with ``extractor`` from now on (the worker stages it as labels are encoded)."""
        self._extractor = extractor

    def use_occupation_matcher(self, occupations: OccupationMatcher) -> None:
        """Answer titles with ``occupations`` from now on (staged like the extractor)."""
        self._occupations = occupations

    def label_cache_dir(self) -> str:
        """Return the folder of the label-embedding matrices (.npy)."""
        return str(self.settings.label_cache_dir or self.settings.data_dir / "cache")

    # ----- labels and vectors -----

    def label_of(self, key: str) -> str:
        """Return the display label of a skill key."""
        label = self.catalog().skill_label(key)
        return label or self.labels.get(key) or key.removeprefix("label:")

    def occupation_label(self, ref: str) -> str:
        """Return the label of an occupation URI, or the reference itself when it is free text."""
        occ = self.catalog().occupations.get(ref)
        return occ.label if occ else ref

    def vectors_for(self, texts: list[str]) -> np.ndarray:
        """Return the document vectors of ``texts`` through the cache."""
        return self.cache.vectors(texts, DOC_KIND)

    def vector_key(self, text: str) -> str:
        """Return the cache key of a document text."""
        return self.cache.key(text, DOC_KIND)

    def status(self) -> dict[str, Any]:
        """Return index sizes and load state."""
        return {
            "state": self.state,
            "load_error": self.load_error,
            "model": self.model_name,
            "indexes": {
                "vacancies": self.vacancies.status(),
                "learners": self.learners.status(),
                "courses": self.courses.status(),
            },
            "embedding_cache": {"hits": self.cache.hits, "misses": self.cache.misses},
        }
