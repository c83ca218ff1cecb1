"""The till's files from templates and settings; each is written with
``till.files.write_atomically``, so a cut power or a full disk never leaves half of one."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from string import Template
from typing import Any

TEMPLATES = Path(__file__).resolve().parent / "templates"


def fill_template(name: str, values: Mapping[str, str]) -> str:
    """``templates/name`` with ``$keys`` replaced; a missing key is a bug, so it raises."""
    return Template((TEMPLATES / name).read_text(encoding="utf-8")).substitute(values)


def render_toml(values: Mapping[str, Any], *, header: str = "") -> str:
    """A small TOML writer for settings files: plain keys first, then one level of tables."""
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    if lines:
        lines.append("")

    def is_table_list(v: Any) -> bool:
        return isinstance(v, list | tuple) and bool(v) and all(isinstance(x, Mapping) for x in v)

    plain = {k: v for k, v in values.items() if not isinstance(v, Mapping) and not is_table_list(v)}
    tables = {k: v for k, v in values.items() if isinstance(v, Mapping)}
    # Arrays of tables ([[scale_labels]] in till.toml) are kept as the technician wrote them.
    table_lists = {k: v for k, v in values.items() if is_table_list(v)}
    lines += [f"{key} = {_value(v)}" for key, v in plain.items() if v is not None]
    for name, table in [*tables.items(), *((n, t) for n, ts in table_lists.items() for t in ts)]:
        if lines and lines[-1] != "":
            lines.append("")
        lines.append(f"[[{name}]]" if name in table_lists else f"[{name}]")
        lines += [f"{key} = {_value(v)}" for key, v in table.items() if v is not None]
    return "\n".join(lines) + "\n"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str | Path):
        text = str(value)
        escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to a settings file")
