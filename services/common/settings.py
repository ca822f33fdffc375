"""Typed settings read once from the environment; bad values stop start-up with a clear message."""

from __future__ import annotations

import dataclasses
import os
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T", bound="BaseSettings")


class SettingsError(SystemExit):
    """Raised when the environment does not describe a usable configuration."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("configuration error:\n  " + "\n  ".join(problems))


def env_field(env: str, default: Any = dataclasses.MISSING, *, doc: str = "") -> Any:
    """Declare a settings field read from the environment variable ``env``."""
    meta = {"env": env, "doc": doc}
    if default is dataclasses.MISSING:
        return dataclasses.field(metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


def _convert(raw: str, kind: Any) -> Any:
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(kind) if a is not type(None)]
        if raw == "":
            return None
        return _convert(raw, args[0])
    if kind is bool:
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise ValueError(f"expected a boolean (true/false), got {raw!r}")
    if kind is int:
        return int(raw)
    if kind is float:
        return float(raw)
    if kind is Path:
        return Path(raw)
    if kind is str:
        return raw
    raise TypeError(f"unsupported settings type {kind!r}")


@dataclasses.dataclass(frozen=True)
class BaseSettings:
    """Settings every service shares; services subclass it to add their own."""

    service: str = env_field("QABILET_SERVICE", "service", doc="service name used in logs")
    host: str = env_field("QABILET_HOST", "127.0.0.1", doc="address to listen on")
    port: int = env_field("QABILET_PORT", 8000, doc="port to listen on")
    data_dir: Path = env_field("QABILET_DATA_DIR", Path("var/data"), doc="embedded store files")
    shared_data: Path = env_field(
        "QABILET_SHARED_DATA", Path("../shared/data"), doc="real public data (ESCO, courses, jobs)"
    )
    mongodb_uri: str | None = env_field(
        "MONGODB_URI", None, doc="real MongoDB server; unset = embedded"
    )
    db_name: str = env_field("QABILET_DB_NAME", "qabilet", doc="database name of this service")
    log_level: str = env_field("QABILET_LOG_LEVEL", "INFO", doc="logging level")
    max_body_bytes: int = env_field(
        "QABILET_MAX_BODY_BYTES", 256 * 1024, doc="largest request body"
    )
    testing: bool = env_field("QABILET_TESTING", False, doc="test mode (no background threads)")
    read_models: bool = env_field(
        "QABILET_READ_MODELS", True, doc="in-memory read models answer lists (off: store queries)"
    )
    warm_up: bool = env_field(
        "QABILET_WARM_UP", True, doc="a worker builds its read models and tallies as it starts"
    )
    keys_dir: Path | None = env_field(
        "QABILET_KEYS_DIR",
        None,
        doc="service identity keys (<caller>.key/.pub); unset = var/keys (in tests: in memory)",
    )
    service_token_ttl: int = env_field(
        "QABILET_SERVICE_TOKEN_TTL", 120, doc="lifetime of a caller token, seconds"
    )
    learner_url: str = env_field("QABILET_LEARNER_URL", "http://127.0.0.1:8001", doc="learner")
    jobs_url: str = env_field("QABILET_JOBS_URL", "http://127.0.0.1:8002", doc="jobs service")
    matcher_url: str = env_field("QABILET_MATCHER_URL", "http://127.0.0.1:8003", doc="matcher")

    @classmethod
    def from_env(cls: type[T], env: Mapping[str, str] | None = None, **overrides: Any) -> T:
        """Build settings from the environment, collecting every problem before failing."""
        source = os.environ if env is None else env
        hints = typing.get_type_hints(cls)
        values: dict[str, Any] = {}
        problems: list[str] = []
        for field in dataclasses.fields(cls):
            if field.name in overrides:
                values[field.name] = overrides[field.name]
                continue
            var = field.metadata.get("env")
            if var and var in source:
                try:
                    values[field.name] = _convert(source[var], hints[field.name])
                except (ValueError, TypeError) as exc:
                    problems.append(f"{var}={source[var]!r} is not valid: {exc}")
            elif (
                field.default is dataclasses.MISSING
                and field.default_factory is dataclasses.MISSING
            ):
                problems.append(f"{var} is required but not set")
        if problems:
            raise SettingsError(problems)
        settings = cls(**values)
        problems = settings.validate()
        if problems:
            raise SettingsError(problems)
        return settings

    def validate(self) -> list[str]:
        """Return a list of problems with these values (empty when usable)."""
        problems = []
        if not 0 < self.port < 65536:
            problems.append(f"QABILET_PORT={self.port} must be between 1 and 65535")
        if self.mongodb_uri is not None and not self.mongodb_uri.startswith(
            ("mongodb://", "mongodb+srv://")
        ):
            problems.append("MONGODB_URI must start with mongodb:// or mongodb+srv://")
        for var, url in (
            ("QABILET_LEARNER_URL", self.learner_url),
            ("QABILET_JOBS_URL", self.jobs_url),
            ("QABILET_MATCHER_URL", self.matcher_url),
        ):
            if not url.startswith(("http://", "https://")):
                problems.append(f"{var} must start with http:// or https://, got {url!r}")
        if self.max_body_bytes <= 0:
            problems.append("QABILET_MAX_BODY_BYTES must be positive")
        if not 10 <= self.service_token_ttl <= 3600:
            problems.append("QABILET_SERVICE_TOKEN_TTL must be between 10 and 3600 seconds")
        return problems

    def replace(self: T, **changes: Any) -> T:
        """Return a copy with some values changed."""
        return dataclasses.replace(self, **changes)
