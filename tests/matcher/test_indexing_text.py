"""What the matcher embeds for a course or vacancy: title and skills always, the body capped."""

from __future__ import annotations

import numpy as np
from flask.testing import FlaskClient

from services.matcher.ml.embedding import FakeEmbedder
from services.matcher.recommend.state import Matcher
from services.matcher.sync.entities import (
    EMBED_TEXT_LIMIT,
    capped_text,
    course_fields,
    course_text,
    vacancy_fields,
    vacancy_text,
)
from services.matcher.sync.feeds import Sync
from services.matcher.sync.models import CourseCopy, VacancyCopy
from tests.matcher.conftest import EventSource
from tests.matcher.factories import course, vacancy

LONG = " ".join(f"word{i}" for i in range(2000))  # ~16,000 characters


def test_capped_text_keeps_head_and_skills_and_cuts_the_body_at_a_word() -> None:
    text = capped_text(["Data analysis"], ["SQL", "Python"], LONG, 300)
    assert text.startswith("Data analysis\nSQL, Python\nword0 word1")
    assert len(text) <= 300
    assert text.split()[-1].startswith("word") and text.split()[-1][4:].isdigit()
    assert LONG.startswith(text.split("\n", 2)[2])  # a prefix of the body, whole words


def test_capped_text_keeps_every_skill_even_past_the_limit() -> None:
    skills = [f"skill number {i}" for i in range(40)]
    text = capped_text(["T"], skills, LONG, 200)
    assert all(s in text for s in skills)
    assert "word0" not in text  # no room left for the body


def test_a_skill_the_description_says_is_not_listed_twice() -> None:
    f = course_fields(
        course(
            title="Excel Skills for Business",
            description="Course by Macquarie University. Skills you gain: Microsoft Excel, "
            "Data Validation.",
            skills=[{"label": "Microsoft Excel"}, {"label": "Data Validation"}, {"label": "VBA"}],
        )
    )
    text = course_text(f, f["declared_skills"])
    assert text.count("Microsoft Excel") == 1 and text.count("Data Validation") == 1
    assert text.splitlines()[:2] == ["Excel Skills for Business", "VBA"]


def test_vacancy_text_keeps_title_role_and_skills_before_the_capped_body() -> None:
    f = vacancy_fields(
        vacancy(
            title="Аналитик данных",
            professional_role="Аналитик",
            requirements=LONG,
            skills=[{"label": "SQL"}],
        )
    )
    text = vacancy_text(f, f["declared_skills"])
    assert text.startswith("Аналитик данных\nАналитик\nSQL\nword0")
    assert len(text) <= EMBED_TEXT_LIMIT


def test_the_feed_embeds_the_capped_course_text(
    client: FlaskClient, sync: Sync, matcher: Matcher, learner_feed: EventSource
) -> None:
    skills = [{"label": "Machine learning"}, {"label": "Python (computer programming)"}]
    learner_feed.emit(
        "course.created", "c1", course(title="Applied ML", description=LONG, skills=skills)
    )
    sync.sync_once()
    copy = CourseCopy.objects(id="c1").first()
    assert copy is not None
    assert copy.text.startswith("Applied ML\nMachine learning, Python (computer programming)\n")
    assert len(copy.text) <= EMBED_TEXT_LIMIT
    stored = matcher.cache.lookup([copy.vector_key])[copy.vector_key]
    assert np.allclose(stored, matcher.embedder().encode([copy.text])[0], atol=1e-6)


def test_the_feed_embeds_the_capped_vacancy_text(
    client: FlaskClient, sync: Sync, jobs_feed: EventSource
) -> None:
    jobs_feed.emit("vacancy.created", "v1", vacancy(title="Data engineer", description=LONG))
    sync.sync_once()
    copy = VacancyCopy.objects(id="v1").first()
    assert copy is not None
    assert copy.text.startswith("Data engineer\n")
    assert len(copy.text) <= EMBED_TEXT_LIMIT


def test_a_page_encodes_each_distinct_text_once_and_never_again(
    client: FlaskClient, matcher: Matcher, embedder: FakeEmbedder
) -> None:
    texts = ["Applied ML\nPython", "Data engineer", "Applied ML\nPython"]
    before = embedder.texts_encoded
    first = matcher.vectors_for(texts)
    assert embedder.texts_encoded - before == 2
    assert np.allclose(first[0], first[2])
    again = matcher.vectors_for(list(reversed(texts)))
    assert embedder.texts_encoded - before == 2  # the cache answered
    assert np.allclose(again[::-1], first)
