"""Production settings come from the environment and fail loudly; `check --deploy` finds nothing to warn about."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("EPROC_", "DJANGO_"))}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, check=False
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check")
    assert result.returncode != 0
    assert "EPROC_SECRET_KEY" in result.stderr


def test_the_production_configuration_passes_djangos_deployment_checks(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        EPROC_SECRET_KEY="a-long-random-production-secret-" + "x9" * 20,
        EPROC_ALLOWED_HOSTS="lpse.ketapangkab.go.id",
        EPROC_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_malformed_setting_is_reported_by_name():
    result = _manage("check", EPROC_DEBUG="1", EPROC_SESSION_IDLE_SECONDS="two hours")
    assert result.returncode != 0
    assert "EPROC_SESSION_IDLE_SECONDS" in result.stderr
