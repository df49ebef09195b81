"""Our import packages are the ones imported: generic names must not resolve to site-packages."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("sandbox", "skill_registry", "skills_runtime")


@pytest.mark.parametrize("name", PACKAGES)
def test_each_package_resolves_inside_this_repository(name: str) -> None:
    module = importlib.import_module(name)

    assert module.__file__ is not None
    assert Path(module.__file__).resolve() == REPO / name / "__init__.py"


@pytest.mark.parametrize("name", PACKAGES)
def test_each_package_resolves_inside_this_repository_in_a_fresh_interpreter(name: str) -> None:
    # A fresh process started elsewhere, as the CLI and worker processes are: a third-party
    # ``sandbox`` earlier on sys.path would win there even if this test process got ours.
    completed = subprocess.run(
        [sys.executable, "-c", f"import {name}; print({name}.__file__)"],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path("/"),
        env=_env_with_repo(),
    )

    assert completed.returncode == 0, completed.stderr
    assert Path(completed.stdout.strip()).resolve() == REPO / name / "__init__.py"


def test_a_third_party_sandbox_in_site_packages_does_not_shadow_ours(tmp_path: Path) -> None:
    impostor = tmp_path / "site" / "sandbox"
    impostor.mkdir(parents=True)
    (impostor / "__init__.py").write_text("IMPOSTOR = True\n")
    code = (
        f"import site; site.addsitedir({str(tmp_path / 'site')!r}); "
        "import sandbox; print(sandbox.__file__)"
    )

    completed = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env=_env_with_repo(),
    )

    assert completed.returncode == 0, completed.stderr
    assert Path(completed.stdout.strip()).resolve() == REPO / "sandbox" / "__init__.py"


def test_the_wheel_ships_exactly_our_three_packages() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())

    assert sorted(pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]) == sorted(
        PACKAGES
    )
    assert all((REPO / name / "py.typed").is_file() for name in PACKAGES)


def _env_with_repo() -> dict[str, str]:
    env = dict(os.environ)
    # When the project is installed (editable or not) this changes nothing; when the tests run
    # from a plain checkout it puts the checkout where pytest's rootdir insertion put it.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env
