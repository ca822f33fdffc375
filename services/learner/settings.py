"""Settings of the learner service, read once from the environment."""

from __future__ import annotations

import dataclasses

from services.common.settings import BaseSettings, env_field

ALIAS = "learner"


@dataclasses.dataclass(frozen=True)
class Settings(BaseSettings):
    """Settings of the learner service (the base fields plus learner defaults)."""

    service: str = env_field("QABILET_SERVICE", "learner", doc="service name used in logs")
    port: int = env_field("QABILET_PORT", 8001, doc="port to listen on")
    db_name: str = env_field("QABILET_DB_NAME", "qabilet_learner", doc="database of this service")
    follow_jobs: bool = env_field(
        "QABILET_FOLLOW_JOBS", True, doc="follow the jobs feed to record hires (outcomes)"
    )
    follow_interval: float = env_field(
        "QABILET_FOLLOW_INTERVAL", 1.0, doc="seconds between polls of the jobs feed"
    )

    upload_max_rows: int = env_field(
        "QABILET_UPLOAD_MAX_ROWS", 1000, doc="most rows of one provider CSV upload"
    )
    upload_seconds: float = env_field(
        "QABILET_UPLOAD_SECONDS", 7.0, doc="time an upload may take (under the gateway's 10 s)"
    )

    def validate(self) -> list[str]:
        """Return a list of problems with these values (empty when usable)."""
        problems = super().validate()
        if self.follow_interval <= 0:
            problems.append("QABILET_FOLLOW_INTERVAL must be positive")
        if self.upload_max_rows <= 0:
            problems.append("QABILET_UPLOAD_MAX_ROWS must be positive")
        if self.upload_seconds <= 0:
            problems.append("QABILET_UPLOAD_SECONDS must be positive")
        return problems
