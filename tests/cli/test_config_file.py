"""The config file scvctl reads when a command names none: the checkout's contact_centers.yaml, from any folder.

`make try`'s shell types ``scvctl check <cc>`` from the home directory; scvctl then takes the default file from
the construct library's config package. A name that package stops exporting broke exactly that, and only there.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from scvctl.config import default_config_file, load_contact_center

from tests.cli.conftest import ROOT


def test_without_a_config_file_scvctl_reads_the_checkouts_contact_centers_yaml() -> None:
    assert default_config_file() == ROOT / "contact_centers.yaml"
    assert load_contact_center("example-cc").name == "example-cc"


def test_the_installed_scvctl_finds_the_default_config_from_another_folder(tmp_path: Path) -> None:
    scvctl = ROOT / ".venv" / "bin" / "scvctl"
    environment = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    result = subprocess.run(
        [str(scvctl), "check", "no-such-cc"], cwd=tmp_path, env=environment, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert f"{ROOT / 'contact_centers.yaml'}: no contact center named 'no-such-cc'" in result.stderr
    assert "Traceback" not in result.stderr
