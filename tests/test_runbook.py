"""What the docs promise an operator in an incident: the steps that close what a command alone leaves open."""

from __future__ import annotations

from tools.harness.synth import PROJECT_ROOT


def _text(relative: str) -> str:
    """The file's words on one line (Markdown wraps a phrase anywhere)."""
    return " ".join((PROJECT_ROOT / relative).read_text(encoding="utf-8").split())


DOCS = {name: _text(name) for name in ("README.md", "README.ja.md")}
SCVCTL = _text("docs/SCVCTL.md")


def test_the_leaked_key_runbook_ends_the_tokens_already_minted() -> None:
    """`key rotate --now` clears the cached token, but tokens minted with the old key live until their session
    ends: the runbook removes the integration user's sessions and revokes the app's OAuth tokens."""
    for text in (DOCS["README.md"], SCVCTL):
        assert "key rotate --now" in text
        assert "Session Management" in text and "Revoke" in text and "OAuth Connected Apps" in text
    assert "[セッション管理]" in DOCS["README.ja.md"] and "[取り消し]" in DOCS["README.ja.md"]


def test_the_pipeline_docs_name_the_deployment_branch_rule_the_deploy_role_relies_on() -> None:
    workflow = (PROJECT_ROOT / ".github" / "workflows" / "deploy.yml").read_text(encoding="utf-8")
    assert "Deployment branches" in workflow
    assert (
        "Deployment branches and tags" in DOCS["README.md"] and "Deployment branches and tags" in DOCS["README.ja.md"]
    )
