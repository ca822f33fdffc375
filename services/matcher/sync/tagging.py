"""ESCO tagging of what arrives on the feeds, through the ML extractor."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from services.matcher.ml.extraction import SkillExtractor

# A declared label ("Microsoft Excel") is short and English; mapping it wrongly puts a false skill
# on a course, so it needs more confidence than the extractor's default for running text.
LABEL_MIN_CONFIDENCE = 0.4


class Tagger:
    """Map free-text skill labels to ESCO and extract skills from texts (no-op without ESCO)."""

    def __init__(
        self,
        extractor: Callable[[], SkillExtractor | None],
        *,
        min_confidence: float | None,
        top_k: int,
    ) -> None:
        self._extractor = extractor
        self.min_confidence = min_confidence
        self.top_k = top_k

    @property
    def label_threshold(self) -> float:
        """Least confidence to map a declared label to ESCO (stricter than free text)."""
        return self.min_confidence if self.min_confidence is not None else LABEL_MIN_CONFIDENCE

    def available(self) -> bool:
        """Tell whether ESCO is imported, so tagging can run (it loads the extractor)."""
        extractor = self._extractor()
        return extractor is not None and bool(extractor.uris)

    def resolve(
        self, skills: list[dict[str, Any]], exclude: Iterable[str] = ()
    ) -> list[dict[str, Any]]:
        """Give label-only skills the ESCO URI the extractor is confident about; keep the rest."""
        pending = [i for i, s in enumerate(skills) if not s.get("uri")]
        extractor = self._extractor() if pending else None
        if extractor is None or not extractor.uris:
            return [dict(s) for s in skills]
        banned = set(exclude)
        labels = [skills[i]["label"] for i in pending]
        conf = extractor.confidences(labels)
        out = [dict(s) for s in skills]
        for row, i in enumerate(pending):
            best = int(conf[row].argmax())
            uri = extractor.uris[best]
            if float(conf[row, best]) >= self.label_threshold and uri not in banned:
                out[i].update(
                    uri=uri,
                    label=extractor.labels[best],
                    declared_label=skills[i]["label"],
                    confidence=round(float(conf[row, best]), 4),
                )
        # Two declared labels may map to one ESCO skill: keep the first.
        seen: set[str] = set()
        unique = []
        for s in out:
            key = s.get("uri") or f"label:{s['label'].lower()}"
            if key not in seen:
                seen.add(key)
                unique.append(s)
        return unique

    def extract(self, text: str, exclude: Iterable[str] = ()) -> list[dict[str, Any]]:
        """Return [{uri, label, confidence, evidence}] found in ``text``."""
        extractor = self._extractor() if text.strip() else None
        if extractor is None or not extractor.uris:
            return []
        found = extractor.extract(
            text, top_k=self.top_k, min_confidence=self.min_confidence, exclude=list(exclude)
        )
        return self._shown(found)

    def spot(self, text: str, exclude: Iterable[str] = ()) -> list[dict[str, Any]]:
        """Return what the vocabulary names in ``text`` (no model call), as ``extract`` does."""
        extractor = self._extractor() if text.strip() else None
        if extractor is None or not extractor.uris:
            return []
        return self._shown(extractor.spot(text, top_k=self.top_k, exclude=list(exclude)))

    @staticmethod
    def _shown(found: Iterable[Any]) -> list[dict[str, Any]]:
        return [
            {
                "uri": e.uri,
                "label": e.label,
                "confidence": float(e.confidence),
                "evidence": e.evidence_sentence,
            }
            for e in found
        ]
