"""The vocabulary inside the extractor: hits per sentence, masking, the model's misfires."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from services.matcher.ml.vocabulary.matcher import (
    Hit,
    PhraseIndex,
    Term,
    load_non_skill,
    load_terms,
)
from services.matcher.ml.vocabulary.text import tokenize

# Durations and bare numbers ("3 года", "от 1 года", "3+ years", "2 жыл") name no skill; left in,
# the model reads "3" as "3D". Removed before the embedding sees a segment.
_NUMBER_RE = re.compile(
    r"(?:\b(?:от|до|не менее|более|over|at least|min\.?)\s+)?\d+(?:[.,]\d+)?\s*\+?\s*"
    r"(?:-?х\s+)?(?:лет|года|год|years?|yrs?|жыл(?:дан|ға|)|месяц\w*|months?|ай)?(?=\W|$)",
    re.IGNORECASE,
)
# Words that carry no skill of their own (stems, any language); a segment left with none but
# these after masking is not sent to the model.
_FILLER = frozenset(
    """опыт работ год лет месяц требован обязан услов знан умен навык владен наличи
    желательн обязательн преимуществ уверен хорош отличн базов глубок высш образован
    тәжірибе жыл талап міндет білім білу дағды experience years year work knowledge skills
    skill good strong excellent required requirement requirements preferred plus with and
    the of in for to a an or и в на с по от для не к о а или из за как при до также
    және мен бен пен да де бар жоқ""".split()  # kk "бар/жоқ": "has/has not" (never a bar)
)
_LANG_PATTERN = re.compile(r"^(?:understand (?:spoken|written)|interact verbally in|write) (.+)$")
_EMPTY_BRACKETS_RE = re.compile(r"[(\[]\s*[,;/\s]*[)\]]")
_PUNCT_RUN_RE = re.compile(r"(?:\s*[,;/|:]\s*){2,}")


@dataclass(frozen=True)
class Spotted:
    """The vocabulary's view of one sentence."""

    hits: list[Hit]
    masked: str
    has_content: bool


def language_skills(labels: Sequence[str]) -> np.ndarray:
    """Return a mask of ESCO language skills ("write Kazakh", "Catalan", "teach sign language")."""
    names = {m.group(1) for label in labels if (m := _LANG_PATTERN.match(label))}
    return np.array(
        [
            label in names
            or bool((m := _LANG_PATTERN.match(label)) and m.group(1) in names)
            or "sign language" in label
            for label in labels
        ],
        dtype=bool,
    )


def _content_words(text: str) -> int:
    """Count tokens that are not filler, numbers or single letters."""
    n = 0
    for tok in tokenize(text):
        if len(tok.surface) < 2 or tok.surface.isdigit():
            continue
        if any(k.split(":", 1)[-1] in _FILLER for k in tok.keys):
            continue
        n += 1
    return n


class Spotter:
    """Vocabulary terms restricted to the skills an extractor knows, indexed by skill column."""

    def __init__(self, uris: Sequence[str], terms: Sequence[Term] | None = None) -> None:
        column = {u: i for i, u in enumerate(uris)}
        kept = [t for t in (load_terms() if terms is None else terms) if t.uri in column]
        self.column = column
        self.index = PhraseIndex([*kept, *load_non_skill()])

    def __len__(self) -> int:
        return len(self.index)

    def spot(self, sentence: str) -> Spotted:
        """Find terms in a sentence; return them and the sentence with them masked out."""
        hits = self.index.find(sentence)
        parts: list[str] = []
        pos = 0
        for h in sorted(hits, key=lambda h: h.start):
            if h.start >= pos:
                parts.append(sentence[pos : h.start])
                pos = h.end
        parts.append(sentence[pos:])
        masked = _NUMBER_RE.sub(" ", " ".join(parts))
        masked = _EMPTY_BRACKETS_RE.sub(" ", masked)
        masked = _PUNCT_RUN_RE.sub(", ", masked)
        masked = re.sub(r"\s+", " ", masked).strip(" ,;:.-")
        skill_hits = [h for h in hits if h.term.uri]
        return Spotted(skill_hits, masked, _content_words(masked) > 0)

    def matrix(self, segments: Sequence[str]) -> np.ndarray:
        """Return (len(segments), n_skills): the best hit confidence of each skill per segment."""
        out = np.zeros((len(segments), len(self.column)), np.float32)
        for row, seg in enumerate(segments):
            for h in self.index.find(seg):
                if h.term.uri:
                    j = self.column[h.term.uri]
                    out[row, j] = max(out[row, j], h.term.confidence)
        return out
