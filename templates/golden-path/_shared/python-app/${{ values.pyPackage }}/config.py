"""Settings from the environment (12-factor)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass(frozen=True)
class Settings:
    port: int = field(default_factory=lambda: _int("PORT", 8080))
    metrics_port: int = field(default_factory=lambda: _int("METRICS_PORT", 9464))
    log_level: str = field(default_factory=lambda: os.environ.get("LOG_LEVEL", "info").lower())
    service_name: str = field(default_factory=lambda: os.environ.get("SERVICE_NAME", "service"))
    environment: str = field(default_factory=lambda: os.environ.get("ENVIRONMENT", "local"))
    database_url: str | None = field(default_factory=lambda: os.environ.get("DATABASE_URL") or None)
    redis_url: str | None = field(default_factory=lambda: os.environ.get("REDIS_URL") or None)
    # Built frontend to serve at / (full-stack services); ignored when missing.
    static_dir: Path = field(
        default_factory=lambda: Path(
            os.environ.get("STATIC_DIR", Path(__file__).resolve().parent.parent / "frontend" / "dist")
        )
    )
    reload: bool = field(default_factory=lambda: os.environ.get("RELOAD", "") in ("1", "true"))
