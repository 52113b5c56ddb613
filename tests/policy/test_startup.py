"""The app refuses to start on an invalid policy file rather than run with a guess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.config import PROJECT_ROOT, get_settings
from app.main import create_app
from app.policy.loader import PolicyError


def _broken_policy(tmp_path: Path) -> Path:
    text = (PROJECT_ROOT / "policies" / "tilburg.toml").read_text()
    broken = tmp_path / "broken.toml"
    broken.write_text(text.replace('cap = "none"', 'cap = "lots"', 1))
    return broken


def test_create_app_refuses_an_invalid_policy(tmp_path: Path) -> None:
    settings = get_settings().model_copy(update={"policy_file": _broken_policy(tmp_path)})
    with pytest.raises(PolicyError) as caught:
        create_app(settings)
    assert "permit_types.sex_worker.cap" in str(caught.value)


def test_swl_serve_exits_with_the_key_and_line(tmp_path: Path) -> None:
    broken = _broken_policy(tmp_path)
    env = {**os.environ, "POLICY_FILE": str(broken), "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "serve", "--port", "1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "permit_types.sex_worker.cap" in result.stderr
    assert f"{broken}:" in result.stderr.replace("\n", "")
