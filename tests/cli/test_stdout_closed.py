"""`scvctl ... | head`: a reader that goes away stops scvctl quietly, and a change it made is still said.

scvctl runs as a process whose stdout is a pipe nobody reads any more (as after `head -1` exited), so the
first write fails with EPIPE exactly as in a shell.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from scvctl.main import STDOUT_CLOSED_STATUS

from tests.cli.conftest import CC, ROOT, Secrets


def scvctl_into_closed_pipe(*argv: str) -> subprocess.CompletedProcess[str]:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before scvctl writes
    try:
        return subprocess.run(
            [sys.executable, "-m", "scvctl", *argv],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "cli"), str(ROOT / "lambda_src"), str(ROOT)])},
            cwd=ROOT,
            check=False,
        )
    finally:
        os.close(write_end)


def test_a_read_only_command_stops_quietly(config_file: Path, aws_env: Any, cc_secrets: Any) -> None:
    result = scvctl_into_closed_pipe("--config", str(config_file), "cert", "show", CC)
    assert (result.returncode, result.stderr) == (STDOUT_CLOSED_STATUS, "")


def test_help_stops_quietly() -> None:
    result = scvctl_into_closed_pipe("--help")
    assert result.stderr == ""  # argparse itself drops a failed help write; nothing may surface at exit either


def test_a_change_made_before_stdout_closed_is_said_on_stderr(
    config_file: Path, aws_env: Any, cc_secrets: Any, secrets: Secrets
) -> None:
    result = scvctl_into_closed_pipe("--config", str(config_file), "key", "rotate", CC)
    assert result.returncode == STDOUT_CLOSED_STATUS
    assert "Traceback" not in result.stderr
    assert secrets.pending() is not None  # the key is staged, as said:
    assert "stdout was closed before everything was shown; done:" in result.stderr
    assert f"staged a new key for {CC}" in result.stderr
    assert f"scvctl cert export {CC} --pending --out server.crt" in result.stderr


def test_every_change_is_listed(config_file: Path, aws_env: Any, cc_secrets: Any, tmp_path: Path) -> None:
    out = tmp_path / "server.crt"
    result = scvctl_into_closed_pipe("--config", str(config_file), "cert", "renew", CC, "--out", str(out))
    assert out.exists(), result.stderr
    assert f"renewed the certificate of {CC}" in result.stderr
    assert f"wrote the new certificate to {out}" in result.stderr


def test_a_failure_before_any_change_is_still_reported(config_file: Path, aws_env: Any) -> None:
    result = scvctl_into_closed_pipe("--config", str(config_file), "cert", "show", "nope")
    assert result.returncode == 1
    assert "no contact center named 'nope'" in result.stderr
