"""Settings of the jobs service, read once from the environment."""

from __future__ import annotations

import dataclasses

from services.common.settings import BaseSettings, env_field

ALIAS = "jobs"


@dataclasses.dataclass(frozen=True)
class Settings(BaseSettings):
    """Settings of the jobs service (the base fields plus jobs defaults)."""

    service: str = env_field("QABILET_SERVICE", "jobs", doc="service name used in logs")
    port: int = env_field("QABILET_PORT", 8002, doc="port to listen on")
    db_name: str = env_field("QABILET_DB_NAME", "qabilet_jobs", doc="database of this service")
