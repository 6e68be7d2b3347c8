"""Small typed helpers for reading configuration from the environment.

Every setting comes from the environment; a ``NAME_FILE`` variable names a file holding the
secret instead (Docker/Kubernetes secrets), so secrets never have to sit in the process table.
"""

from __future__ import annotations

import os
from pathlib import Path


def env_str(name: str, default: str = "") -> str:
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = env_str(name, "")
    if raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    raw = env_str(name, "")
    return int(raw) if raw.strip() else default


def env_list(name: str, default: list[str]) -> list[str]:
    raw = env_str(name, "")
    if not raw.strip():
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]
