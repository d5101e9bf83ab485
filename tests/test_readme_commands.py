"""The README's make commands, exactly as a new user types them.

The commands come from README.md's own code blocks, and README.ja.md must show the same set. They run with
real make in a copy of this checkout (so their `cdk synth` never rewrites the cdk.out other tests read), in an
environment holding nothing the README does not show: PATH and HOME, as in a fresh login shell. No CC (make's
built-in C compiler variable, which must never be taken for a contact center), no CI, no AWS settings, no
virtualenv on PATH. `make try` is run twice: its shell fed from a pipe (as CI would) and from a terminal, the
second under LANG=ja_JP.UTF-8 with Japanese text in the config.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tools.harness.synth import PROJECT_ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("readme-commands")]  # one copy, one worker

READMES = (PROJECT_ROOT / "README.md", PROJECT_ROOT / "README.ja.md")
#: what `make install` leaves in the checkout, shared with the copy rather than installed again
INSTALLED = (".venv", "node_modules", "build/checkov-venv")
FIRST_CONTACT_CENTER = "example-cc"
#: generous: each command synthesizes the app again, on a 2-core machine busy with the other tests
COMMAND_SECONDS = 900


def make_commands(readme: Path) -> list[str]:
    """Every `make ...` line of the README's code blocks (indented ones in lists too), without its comment."""
    text = readme.read_text(encoding="utf-8")
    blocks = re.findall(r"^[ \t]*```[a-z]*\n(.*?)^[ \t]*```", text, flags=re.DOTALL | re.MULTILINE)  # list items indent
    lines = (line.split("#", 1)[0].strip() for block in blocks for line in block.splitlines())
    return [line for line in lines if line.startswith("make ")]


def a_new_users_environment(**extra: str) -> dict[str, str]:
    """PATH (without this project's virtualenv) and HOME, as a login shell has them, and nothing else."""
    venv = str(PROJECT_ROOT / ".venv")
    path = os.pathsep.join(part for part in os.environ["PATH"].split(os.pathsep) if not part.startswith(venv))
    return {"PATH": path, "HOME": os.environ.get("HOME", "/root"), **extra}


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of this checkout's files (modification times kept, so make sees its installs as up to date),
    with the installed parts linked in and the last synth's cdk.out copied (its bundles are reused)."""
    # the copy shares this checkout's virtualenv: were its install out of date, make would reinstall this project
    # into it from the copy (the editable install would then point at a temporary folder)
    subprocess.run(["make", "-s", "install"], cwd=PROJECT_ROOT, capture_output=True, check=True)
    copy = tmp_path_factory.mktemp("checkout") / "scv"
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=PROJECT_ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, listed):
        source = PROJECT_ROOT / name
        if source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    for name in INSTALLED:
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        (copy / name).symlink_to(PROJECT_ROOT / name)
    planned = subprocess.run(["make", "-n", "install"], cwd=copy, capture_output=True, text=True, check=True).stdout
    assert "pip install" not in planned, "make in the copy would reinstall into this checkout's virtualenv"
    if (PROJECT_ROOT / "cdk.out").is_dir():
        shutil.copytree(PROJECT_ROOT / "cdk.out", copy / "cdk.out", symlinks=True)
    return copy


def run(command: str, checkout: Path, *, stdin: str = "", **environment: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", command], cwd=checkout, env=a_new_users_environment(**environment), input=stdin,
        capture_output=True, text=True, timeout=COMMAND_SECONDS, check=False,
    )  # fmt: skip


def readme_command(target: str) -> str:
    """The README's own line for ``make <target>``; the test fails if the README stops showing it."""
    commands = [command for command in make_commands(READMES[0]) if command.split()[1] == target]
    assert commands, f"README.md shows no `make {target}`"
    return commands[0]


def test_both_readmes_show_the_same_make_commands() -> None:
    english, japanese = (set(make_commands(readme)) for readme in READMES)
    assert english == japanese
    assert {"make synth", "make test", "make demo", "make try"} <= english


def test_make_demo_narrates_the_first_contact_center(checkout: Path) -> None:
    result = run(readme_command("demo"), checkout)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "no contact center named" not in result.stderr
    assert f"{FIRST_CONTACT_CENTER}-salesforce-secret and {FIRST_CONTACT_CENTER}-salesforce-access-secret filled" in (
        result.stdout
    )
    assert "Done: everything ran on this machine" in result.stdout


def test_make_try_runs_scvctl_check_in_its_shell(checkout: Path) -> None:
    result = run(readme_command("try"), checkout, stdin=f"scvctl check {FIRST_CONTACT_CENTER}\nexit\n")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "OK: the function signed in to Salesforce" in result.stdout
    assert "Stopped the stand-ins." in result.stdout


def test_make_try_in_a_japanese_terminal_with_japanese_text_in_the_config(checkout: Path) -> None:
    """In a terminal, as most people run it, with scvctl typed from the home directory rather than the checkout."""
    config = checkout / "contact_centers.yaml"
    original = config.read_text(encoding="utf-8")
    config.write_text("# 東京コールセンター（本番）の設定\n" + original, encoding="utf-8")
    try:
        # script(1) gives make a terminal; the commands are typed into it from the pipe
        result = run(
            f"script --quiet --return --command '{readme_command('try')}' /dev/null",
            checkout,
            stdin=f"cd ~\nscvctl check {FIRST_CONTACT_CENTER}\nexit\n",
            LANG="ja_JP.UTF-8",
            TERM="xterm",
        )
    finally:
        config.write_text(original, encoding="utf-8")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "OK: the function signed in to Salesforce" in result.stdout


@pytest.mark.parametrize("target", ["deploy", "diff"])
def test_deploy_and_diff_without_a_name_print_their_usage_before_anything_else(checkout: Path, target: str) -> None:
    result = run(f"make {target}", checkout)
    assert result.returncode == 2
    assert f"usage: make {target} CONTACT_CENTER=<contact-center name from contact_centers.yaml>" in result.stderr
    assert "preflight" not in result.stdout + result.stderr
    assert "==>" not in result.stdout  # nothing installed, nothing synthesized, AWS never called


def test_the_name_is_still_taken_from_cc_on_makes_command_line(checkout: Path) -> None:
    """What earlier versions documented (`make deploy CC=tokyo-cc`) keeps working."""
    result = run("make -n deploy CC=tokyo-cc", checkout)
    assert result.returncode == 0, result.stderr
    assert 'preflight "tokyo-cc"' in result.stdout


def test_a_cc_exported_by_the_shell_is_not_a_contact_center(checkout: Path) -> None:
    """Many build environments export CC=gcc: it names the C compiler, never the contact center."""
    result = run("make deploy", checkout, CC="gcc")
    assert result.returncode == 2
    assert "usage: make deploy CONTACT_CENTER=" in result.stderr


def test_a_config_mistake_stops_make_synth_with_its_own_message(checkout: Path) -> None:
    """The file, then one line per mistake; the CDK CLI, which follows an app's failure with a line of its own, is
    not run."""
    config = checkout / "contact_centers.yaml"
    original = config.read_text(encoding="utf-8")
    config.write_text(original.replace("username: integration.user@example.com\n", "username: 山田太郎\n", 1))
    try:
        result = run("make synth", checkout)
    finally:
        config.write_text(original, encoding="utf-8")
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line and not line.startswith(("make", "WARNING", "note:"))]
    assert errors[0].endswith("contact_centers.yaml: invalid contact-center config"), result.stderr
    assert len(errors) == 2 and 'contact center "example-cc", field username:' in errors[1], (
        result.stderr
    )  # one a mistake
    assert "Subprocess exited" not in result.stderr
