"""The ESCO taxonomy as the matcher stores it: skills, occupations, skill groups."""

from __future__ import annotations

import mongoengine as me

from services.matcher.db import ALIAS


class EscoSkill(me.Document):
    """One ESCO skill or knowledge concept."""

    uri = me.StringField(primary_key=True)
    label = me.StringField(required=True)
    alt_labels = me.ListField(me.StringField())
    description = me.StringField(default="")
    skill_type = me.StringField(default="")
    reuse_level = me.StringField(default="")
    broader = me.ListField(me.StringField())
    meta = {"db_alias": ALIAS, "collection": "skills"}


class EscoOccupation(me.Document):
    """One ESCO occupation with its essential and optional skills embedded."""

    uri = me.StringField(primary_key=True)
    label = me.StringField(required=True)
    alt_labels = me.ListField(me.StringField())
    description = me.StringField(default="")
    isco_group = me.StringField(default="")
    code = me.StringField(default="")
    essential_skills = me.ListField(me.StringField())
    optional_skills = me.ListField(me.StringField())
    meta = {"db_alias": ALIAS, "collection": "occupations"}

    def clean(self) -> None:
        """Keep a skill in one relation only (essential wins)."""
        essential = set(self.essential_skills)
        self.optional_skills = [u for u in self.optional_skills if u not in essential]


class EscoSkillGroup(me.Document):
    """One ESCO skill group (the skills pillar hierarchy above single skills)."""

    uri = me.StringField(primary_key=True)
    label = me.StringField(required=True)
    alt_labels = me.ListField(me.StringField())
    description = me.StringField(default="")
    code = me.StringField(default="")
    meta = {"db_alias": ALIAS, "collection": "skill_groups"}
