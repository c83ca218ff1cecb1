"""What every benchmark shares: percentiles in milliseconds and one way to save a result."""

from __future__ import annotations

import json
import math
import os
import platform
import sqlite3
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def percentiles(samples_seconds: Sequence[float]) -> dict[str, float]:
    """p50, p95, p99 and max of timings in seconds, as milliseconds (nearest-rank method)."""
    if not samples_seconds:
        raise ValueError("no samples to summarise")
    ordered = sorted(samples_seconds)

    def rank(p: int) -> float:
        return ordered[max(0, math.ceil(len(ordered) * p / 100) - 1)]

    return {
        "p50_ms": round(rank(50) * 1000, 3),
        "p95_ms": round(rank(95) * 1000, 3),
        "p99_ms": round(rank(99) * 1000, 3),
        "max_ms": round(ordered[-1] * 1000, 3),
        "samples": len(ordered),
    }


def machine_facts() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "sqlite": sqlite3.sqlite_version,
    }


def save_result(name: str, result: Mapping[str, Any], *, directory: Path = RESULTS_DIR) -> Path:
    """Write ``<directory>/<name>.json`` (pretty, with machine facts, UTC time and command
    line), print a short summary, and return the path. Written via a temporary file so a
    benchmark killed half-way never leaves half a JSON document behind."""
    document = {
        "benchmark": name,
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        # Programs by name, not by where they sit on this machine (python, pytest).
        "command": [Path(a).name if os.path.isabs(a) else a for a in sys.orig_argv],
        "machine": machine_facts(),
        "result": dict(result),
    }
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(document, indent=2, sort_keys=False, default=str) + "\n")
    tmp.replace(path)
    print(summary(name, result))
    print(f"saved {path}")
    return path


def summary(name: str, result: Mapping[str, Any]) -> str:
    """One line per figure: ``name.key: value`` with percentiles on one line."""
    lines = [f"== {name} =="]

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, Mapping) and "p50_ms" in value:
            lines.append(
                f"{prefix}: p50 {value['p50_ms']} ms, p95 {value['p95_ms']} ms, "
                f"p99 {value['p99_ms']} ms, max {value['max_ms']} ms (n={value['samples']})"
            )
        elif isinstance(value, Mapping):
            for key, item in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), item)
        else:
            lines.append(f"{prefix}: {value}")

    walk("", result)
    return "\n".join(lines)
