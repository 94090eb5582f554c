"""Load scenario TOML files into a validated :class:`~sim.scenario.Scenario`.

A what-if variant names its base with ``extends = "flagship_city_centre.toml"`` (a path
relative to the variant) and overrides parts of it: tables merge key by key, anything else
(numbers, strings, arrays) replaces the base value, and a table with a different ``kind``
(a distribution of another family) replaces the base table. Every problem is reported with the file,
the key path, what was expected and what was found (:class:`~sim.errors.ScenarioError`).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from hallplan.sim.errors import Problem, ScenarioError, more_problems
from hallplan.sim.scenario import Scenario

MAX_EXTENDS_DEPTH = 8
#: a scenario file is a few kilobytes (the reference halls: under 30 kB); far larger is a
#: mistake (a log exported to the wrong name, generated garbage) and is refused before
#: parsing, which at this size already takes a second
MAX_FILE_BYTES = 1_000_000
#: tables and arrays nested deeper than this are no scenario (and would exhaust the stack)
MAX_NESTING = 32
#: problems listed for one file; the rest are counted ("… and 123,456 more")
MAX_PROBLEMS = 50


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


def nesting_depth(value: Any) -> int:
    """How deeply tables and arrays nest in ``value`` (iterative: no recursion limit)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if depth > MAX_NESTING:
            return depth
        stack.extend((c, depth + 1) for c in children)
    return deepest


def read_toml(path: Path, max_bytes: int = MAX_FILE_BYTES) -> dict[str, Any]:
    """Parse a TOML file, or raise ScenarioError naming the file and what is wrong with it."""
    file = str(path)
    if path.is_dir():
        raise ScenarioError([Problem(file, "", "a TOML file", "a folder")])
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ScenarioError([Problem(file, "", f"a file of at most "
                                         f"{max_bytes / 1e6:g} MB",
                                         f"{size / 1e6:,.1f} MB")])
        text = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError([Problem(file, "", "an existing file", "no such file")]) from None
    except OSError as exc:
        raise ScenarioError([Problem(file, "", "a readable file", str(exc))]) from None
    try:
        data = tomllib.loads(text.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            [Problem(file, "", "UTF-8 text", f"undecodable byte at {exc.start}")]
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([Problem(file, "", "valid TOML", str(exc))]) from None
    except RecursionError:
        raise ScenarioError([Problem(file, "", f"tables and arrays nested at most "
                                     f"{MAX_NESTING} deep", "far deeper nesting")]) from None
    depth = nesting_depth(data)
    if depth > MAX_NESTING:
        raise ScenarioError([Problem(file, "", f"tables and arrays nested at most "
                                     f"{MAX_NESTING} deep", f"{depth} or more levels")])
    return data


Layer = tuple[str, dict[str, Any]]


def read_layers(path: Path, _depth: int = 0) -> list[Layer]:
    """The files of an ``extends`` chain as ``(file, data)``, the file itself first (it wins)."""
    data = read_toml(path)
    parent = data.pop("extends", None)
    if parent is None:
        return [(str(path), data)]
    if not isinstance(parent, str):
        raise ScenarioError([Problem(str(path), "extends", "a file name (string)", repr(parent))])
    if _depth >= MAX_EXTENDS_DEPTH:
        raise ScenarioError(
            [Problem(str(path), "extends", f"at most {MAX_EXTENDS_DEPTH} levels", "a longer chain")]
        )
    base_path = (path.parent / parent).resolve()
    if not base_path.is_file():
        raise ScenarioError(
            [Problem(str(path), "extends", "an existing scenario file", f"{parent!r} (not found)")]
        )
    return [(str(path), data), *read_layers(base_path, _depth + 1)]


def merge_layers(layers: list[Layer]) -> dict[str, Any]:
    """Merge ``(file, data)`` layers, the first winning (see :func:`deep_merge`)."""
    out: dict[str, Any] = {}
    for _, data in reversed(layers):
        out = deep_merge(out, data)
    return out


def resolve_extends(path: Path) -> dict[str, Any]:
    """Read ``path`` and merge it over the chain of files it ``extends``."""
    return merge_layers(read_layers(path))


_PATH_PART = re.compile(r"\.?([^.\[\]]+)|\[(\d+)\]")


def origin_of(key_path: str, layers: list[Layer]) -> str | None:
    """The file of the chain that set the value at ``key_path`` (the first layer holding it;
    an array or a scalar is replaced whole, so the layer holding the array is the origin of
    everything inside it). None when no layer holds it (a missing key)."""
    parts = [m.group(1) if m.group(1) is not None else int(m.group(2))
             for m in _PATH_PART.finditer(key_path)]
    for file, data in layers:
        node: Any = data
        found = False
        for part in parts:
            if isinstance(part, int) or not isinstance(node, dict):
                found = True  # an array or a scalar here: this layer supplied it whole
                break
            if part not in node:
                break
            node = node[part]
        else:
            found = bool(parts)
        if found:
            return file
    return None


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


def problems_from_validation(error: ValidationError, file: str,
                             limit: int = MAX_PROBLEMS) -> list[Problem]:
    """Turn pydantic's errors into planner-readable problems (one per broken rule); past
    ``limit`` the rest are counted in one last problem instead of listed."""
    problems: list[Problem] = []
    errors = error.errors(include_url=False)
    for n_seen, err in enumerate(errors):
        if len(problems) >= limit:
            problems.append(more_problems(file, len(errors) - n_seen))
            break
        path = _loc_to_path(tuple(err.get("loc", ())))
        msg = str(err.get("msg", "")).removeprefix("Value error, ").removeprefix("Input should be ")
        kind = err.get("type", "")
        if kind == "missing":
            problems.append(Problem(file, path, "this key to be given", "nothing"))
            continue
        if kind in ("too_short", "too_long"):
            ctx = err.get("ctx", {})
            bound = (f"at least {ctx.get('min_length')}" if kind == "too_short"
                     else f"at most {ctx.get('max_length')}")
            found = ctx.get("actual_length")
            found = f"{found:,} item(s)" if isinstance(found, int) else _show(err.get("input"))
            problems.append(Problem(file, path, f"{bound} item(s)", found))
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
    """Validate a plain dict (as read from TOML) into a Scenario, or raise ScenarioError.

    A file of (mostly) unknown top-level keys is answered from the key names alone: building
    hundreds of thousands of validation errors first would take longer than reading it."""
    unknown = [k for k in data if k not in Scenario.model_fields]
    if len(unknown) > MAX_PROBLEMS:
        shown = [Problem(file, str(k), "no such key (check the spelling)", _show(data[k]))
                 for k in unknown[:MAX_PROBLEMS]]
        raise ScenarioError([*shown, more_problems(file, len(unknown) - MAX_PROBLEMS)])
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(problems_from_validation(exc, file)) from None


def scenario_from_layers(layers: list[Layer], overrides: dict[str, Any] | None = None
                         ) -> Scenario:
    """Validate an ``extends`` chain (first layer wins); each problem names the file of the
    chain that set the offending key (``base.toml (under variant.toml)``)."""
    data = merge_layers(layers)
    if overrides:
        data = deep_merge(data, overrides)
    top = layers[0][0]
    try:
        return scenario_from_dict(data, top)
    except ScenarioError as exc:
        placed = []
        for p in exc.problems:
            origin = origin_of(p.path, layers) if p.path else None
            if origin is not None and origin != top:
                p = Problem(f"{origin} (under {top})", p.path, p.expected, p.found)
            placed.append(p)
        raise ScenarioError(placed) from None


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Load a scenario file (following ``extends``), optionally merging ``overrides`` on top."""
    return scenario_from_layers(read_layers(Path(path)), overrides)
