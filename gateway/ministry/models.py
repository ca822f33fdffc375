"""The ministry's own records in the gateway's database: load-test runs and their figures."""

from __future__ import annotations

from typing import Any

import mongoengine as me

from services.common.clock import utcnow

from ..models import ALIAS


class EndpointFigures(me.EmbeddedDocument):
    """One endpoint's figures in a load run."""

    method = me.StringField(max_length=10)
    name = me.StringField(max_length=300)
    requests = me.IntField(min_value=0)
    failures = me.IntField(min_value=0)
    rps = me.FloatField(min_value=0)
    p50_ms = me.FloatField(null=True)
    p95_ms = me.FloatField(null=True)
    p99_ms = me.FloatField(null=True)


class LoadRun(me.Document):
    """A load test of the suite and what it measured."""

    run_id = me.StringField(max_length=40)
    started_at = me.DateTimeField(required=True)
    duration_s = me.FloatField(min_value=0)
    users = me.IntField(min_value=0)
    spawn_rate = me.FloatField(min_value=0)
    target = me.StringField(null=True, max_length=300)
    requests = me.IntField(min_value=0)
    failures = me.IntField(min_value=0)
    rps = me.FloatField(min_value=0)
    p50_ms = me.FloatField(null=True)
    p95_ms = me.FloatField(null=True)
    p99_ms = me.FloatField(null=True)
    endpoints = me.EmbeddedDocumentListField(EndpointFigures)
    recorded_at = me.DateTimeField(default=utcnow)
    meta: dict[str, Any] = {
        "db_alias": ALIAS,
        "collection": "load_runs",
        "indexes": ["-started_at"],
    }
