"""The package as a new user installs it: one wheel, one top-level name, embedded scenarios.

The wheel is built from a copy of the source folders (so a stale ``build/`` cannot leak old
modules in), installed without dependencies into a fresh venv that borrows this
environment's site-packages for them, and run from a folder outside the repository that
holds a user's own ``forecast.py`` and ``sim.py``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SOURCE_DIRS = ("hallplan", "sim", "forecast", "optimize", "scenarios")
TIMEOUT = 120  # seconds per step; the whole module takes about 15 s on a quiet machine

pytestmark = pytest.mark.packaging


def _packages_on_disk() -> set[str]:
    mapping = PYPROJECT["tool"]["setuptools"]["package-dir"]
    found = set()
    for name, folder in mapping.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder).parts
            found.add(".".join((name, *rel)))
    return found


def test_every_package_folder_is_listed_in_pyproject():
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    assert listed == _packages_on_disk()
    assert all(p == "hallplan" or p.startswith("hallplan.") for p in listed)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("src")
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    for d in SOURCE_DIRS:
        shutil.copytree(ROOT / d, src / d, ignore=ignore)
    for f in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / f, src / f)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "--no-index", "-w", str(out), str(src)],
        check=True, timeout=TIMEOUT, capture_output=True, text=True,
    )
    (whl,) = out.glob("hallplan-*.whl")
    return whl


def test_wheel_has_one_top_level_name_and_the_scenarios(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        (top,) = [n for n in names if n.endswith(".dist-info/top_level.txt")]
        assert z.read(top).decode().split() == ["hallplan"]
    roots = {n.split("/")[0] for n in names}
    assert roots == {"hallplan", wheel.name.split("-py3")[0] + ".dist-info"}
    for data in ("flagship_city_centre.toml", "whatif/kiosk_outage.toml",
                 "regions/riverside.toml", "regions/region.schema.json", "scenario.schema.json"):
        assert f"hallplan/scenarios/{data}" in names
    for module in ("sim/hall.py", "forecast/store.py", "optimize/roster/model.py"):
        assert f"hallplan/{module}" in names


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv with the wheel installed; dependencies come from this environment."""
    env_dir = tmp_path_factory.mktemp("venv") / "v"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    py = env_dir / "bin" / "python"
    site = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True, timeout=TIMEOUT,
    ).stdout.strip()
    # dependencies only: this environment's site-packages, after the venv's own (a .pth
    # line adds a folder without running that folder's .pth files, so an editable
    # hallplan here does not come along)
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(site, "_hallplan_test_deps.pth").write_text("\n".join(sorted(deps)) + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps",
         "--no-index", str(wheel)],
        check=True, timeout=TIMEOUT, capture_output=True, text=True,
    )
    return env_dir


def _run(env_dir: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    return subprocess.run(
        [str(env_dir / "bin" / args[0]), *args[1:]], cwd=cwd, env=env, check=False,
        capture_output=True, text=True, timeout=TIMEOUT,
    )


@pytest.fixture
def user_folder(tmp_path) -> Path:
    """Another directory, holding modules whose names the old top-level packages took."""
    for name in ("forecast", "sim", "optimize", "scenarios"):
        (tmp_path / f"{name}.py").write_text("raise ImportError('the user module was imported')\n")
    return tmp_path


def test_installed_wheel_runs_from_another_folder(installed, user_folder):
    where = _run(installed, user_folder, "python", "-c",
                 "import hallplan.cli, hallplan.scenarios as s; print(s.scenarios_dir())")
    assert where.returncode == 0, where.stderr
    scenarios = Path(where.stdout.strip())
    assert scenarios.is_relative_to(installed), scenarios  # the wheel's copy, not the repo's
    assert not scenarios.is_relative_to(ROOT)

    ok = _run(installed, user_folder, "hallplan", "validate",
              str(scenarios / "flagship_city_centre.toml"),
              str(scenarios / "whatif" / "kiosk_outage.toml"))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.count("✓") == 2

    region = _run(installed, user_folder, "hallplan", "region", "validate",
                  str(scenarios / "regions" / "riverside.toml"))
    assert region.returncode == 0, region.stdout + region.stderr

    # the reference halls are found (the message lists them), not "no known halls"
    hall = _run(installed, user_folder, "hallplan", "forecast", "--hall", "nowhere",
                "--month", "2026-12", "--store", str(user_folder / "h.duckdb"))
    assert hall.returncode == 2, hall.stdout + hall.stderr
    assert "county-hall" in hall.stderr and "flagship" in hall.stderr, hall.stderr

    demo = _run(installed, user_folder, "hallplan", "demo", "--help")
    assert demo.returncode == 0, demo.stderr
    assert "Usage" in demo.stdout


def test_installed_wheel_gives_a_clear_error_for_a_missing_file(installed, user_folder):
    bad = _run(installed, user_folder, "hallplan", "validate", "no_such_hall.toml")
    assert bad.returncode == 2
    assert "Traceback" not in bad.stdout + bad.stderr
