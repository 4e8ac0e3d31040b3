"""The package installs like one: a wheel built from the checkout carries every layer and
its data files, builds without a wall of setuptools warnings, and its ``kizashi``
command works from outside the checkout against the real Neo4j."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PACKAGES = ("core", "ingest", "graph", "analysis", "api", "ui", "ui/views", "cli")
DATA = ("ingest/taxonomy.yaml", "ingest/definitions.yaml", "graph/launcher/pom.xml", "analysis/mapping_calibration.json",
        "analysis/profiles/jp_economic_security.yaml")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("wheel")
    # A copy of the tracked tree, so a stale build/ or egg-info in the checkout cannot leak in.
    src = out / "src"
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO, capture_output=True,
                           text=True, check=True).stdout.split()
    for f in files:
        if (REPO / f).is_file():
            (src / f).parent.mkdir(parents=True, exist_ok=True)
            (src / f).write_bytes((REPO / f).read_bytes())
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(out), str(src)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    [whl] = out.glob("kizashi-*.whl")
    return whl, done.stdout + done.stderr


def test_wheel_holds_every_layer_and_its_data(wheel: tuple[Path, str]) -> None:
    names = set(zipfile.ZipFile(wheel[0]).namelist())
    for pkg in PACKAGES:
        assert f"{pkg}/__init__.py" in names, pkg
    for f in DATA:
        assert f in names, f
    assert not any(n.startswith(("tests/", "bench/")) for n in names)
    assert any(n.startswith("ui/views/") and n.endswith("overview.py") for n in names)


def test_build_prints_no_setuptools_warnings(wheel: tuple[Path, str]) -> None:
    noisy = [ln for ln in wheel[1].splitlines() if "Warning" in ln or "!!" in ln]
    assert noisy == []


def test_installed_command_works_outside_the_checkout(wheel: tuple[Path, str], tmp_path: Path,
                                                      cli_env: dict[str, str]) -> None:
    # A fresh venv whose only copy of our code is the wheel; third-party packages come from
    # the test environment through a .pth file, so no download is needed.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next((venv / "lib").glob("python3*/site-packages"))
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--no-deps",
                    "--no-index", "-q", str(wheel[0])], check=True, timeout=300)
    env = {**cli_env, "PYTHONPATH": ""}
    env.pop("PYTHONSAFEPATH", None)
    exe = str(venv / "bin" / "kizashi")
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import cli, ingest; print(cli.__file__, ingest.__file__)"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, check=True).stdout
    assert str(REPO) not in where and str(site) in where
    run = subprocess.run([exe, "ingest", "openalex", str(FIXTURES / "openalex_works.jsonl")], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    summary = subprocess.run([exe, "summary", "--json"], cwd=tmp_path, env=env, capture_output=True, text=True,
                             timeout=120, check=True)
    assert json.loads(summary.stdout)["nodes"]["Work"] > 0
    tax = subprocess.run([exe, "taxonomy", "load", "--json"], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=120)
    assert tax.returncode == 0, tax.stderr[-2000:]
    assert os.path.exists(venv / "bin" / "kizashi")
