"""Load scenario TOML files into a validated :class:`~sim.scenario.Scenario`.

A what-if variant names its base with ``extends = "flagship_city_centre.toml"`` (a path
relative to the variant) and overrides parts of it: tables merge key by key, anything else
(numbers, strings, arrays) replaces the base value, and a table with a different ``kind``
(a distribution of another family) replaces the base table. Every problem is reported with the file,
the key path, what was expected and what was found (:class:`~sim.errors.ScenarioError`).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from hallplan.sim.errors import Problem, ScenarioError
from hallplan.sim.scenario import Scenario

MAX_EXTENDS_DEPTH = 8


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Tables merge recursively; any other value in ``override`` replaces the base value.

    A table that names a different ``kind`` (a distribution changing family) replaces the
    base table whole, so no parameter of the old family is left behind.
    """
    out = dict(base)
    for key, value in override.items():
        old = out.get(key)
        if (
            isinstance(value, dict)
            and isinstance(old, dict)
            and value.get("kind", old.get("kind")) == old.get("kind")
        ):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError([Problem(str(path), "", "an existing file", "no such file")]) from None
    except OSError as exc:
        raise ScenarioError([Problem(str(path), "", "a readable file", str(exc))]) from None
    try:
        return tomllib.loads(text.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            [Problem(str(path), "", "UTF-8 text", f"undecodable byte at {exc.start}")]
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([Problem(str(path), "", "valid TOML", str(exc))]) from None


def resolve_extends(path: Path, _depth: int = 0) -> dict[str, Any]:
    """Read ``path`` and merge it over the chain of files it ``extends``."""
    data = read_toml(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError([Problem(str(path), "extends", "a file name (string)", repr(parent))])
    if _depth >= MAX_EXTENDS_DEPTH:
        raise ScenarioError(
            [Problem(str(path), "extends", f"at most {MAX_EXTENDS_DEPTH} levels", "a longer chain")]
        )
    base_path = (path.parent / parent).resolve()
    if not base_path.exists():
        raise ScenarioError(
            [Problem(str(path), "extends", "an existing scenario file", f"{parent!r} (not found)")]
        )
    return deep_merge(resolve_extends(base_path, _depth + 1), data)


def _show(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _loc_to_path(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif item in {"exponential", "lognormal", "gamma", "deterministic"}:
            continue  # discriminated-union tag pydantic inserts into the location
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts)


def problems_from_validation(error: ValidationError, file: str) -> list[Problem]:
    """Turn pydantic's errors into planner-readable problems (one per broken rule)."""
    problems: list[Problem] = []
    for err in error.errors(include_url=False):
        path = _loc_to_path(tuple(err.get("loc", ())))
        msg = str(err.get("msg", "")).removeprefix("Value error, ").removeprefix("Input should be ")
        kind = err.get("type", "")
        if kind == "missing":
            problems.append(Problem(file, path, "this key to be given", "nothing"))
            continue
        if kind == "extra_forbidden":
            problems.append(
                Problem(file, path, "no such key (check the spelling)", _show(err.get("input")))
            )
            continue
        for line in msg.splitlines():
            sub_path, expected, found = path, line, _show(err.get("input"))
            head, sep, rest = line.partition(": ")
            if sep and " " not in head:  # cross-check lines carry their own key path
                sub_path = f"{path}.{head}" if path else head
                line = rest
            expected, sep, tail = line.rpartition(", found ")
            if sep:
                found = tail
            else:
                expected = line
            problems.append(Problem(file, sub_path, expected, found))
    return problems


def scenario_from_dict(data: dict[str, Any], file: str = "<scenario>") -> Scenario:
    """Validate a plain dict (as read from TOML) into a Scenario, or raise ScenarioError."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(problems_from_validation(exc, file)) from None


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Load a scenario file (following ``extends``), optionally merging ``overrides`` on top."""
    p = Path(path)
    data = resolve_extends(p)
    if overrides:
        data = deep_merge(data, overrides)
    return scenario_from_dict(data, str(p))
