"""The example deploy pipeline: its workflow files pass the linters, and the roles GitHub assumes through
OIDC may do nothing but assume the CDK bootstrap roles, each from its own trigger."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import aws_cdk as cdk
import pytest
import yaml
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks
from scv_salesforce.config import ConfigError, load_config, parse_config
from scv_salesforce.constants import PREFLIGHT_READ_ACTIONS, PROJECT_ROOT
from scv_salesforce.deploy_pipeline import DeployPipelineStack

GITHUB = PROJECT_ROOT / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
ACTIONS = sorted((GITHUB / "actions").glob("*/action.yml"))
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    assert found, f"{name} is not installed: run make install"
    return found


def test_the_workflows_and_the_setup_action_match_githubs_schemas() -> None:
    assert {path.name for path in WORKFLOWS} >= {"ci.yml", "deploy.yml"}
    for schema, files in (("vendor.github-workflows", WORKFLOWS), ("vendor.github-actions", ACTIONS)):
        result = subprocess.run(
            [_tool("check-jsonschema"), "--builtin-schema", schema, *map(str, files)], capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing_of_medium_severity_or_more() -> None:
    """Pinned actions, no persisted credentials, no template injection, least permissions. (Below medium it
    only suggests the `$/` self-repository syntax, which the schema above does not know yet.)"""
    result = subprocess.run(
        [_tool("zizmor"), "--offline", "--min-severity", "medium", "--format", "plain", str(GITHUB)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_deploy_workflow_gates_deploys_and_keeps_no_access_keys() -> None:
    text = (GITHUB / "workflows" / "deploy.yml").read_text()
    assert "environment: production" in text
    assert "id-token: write" in text and "role-to-assume: ${{ vars.AWS_DEPLOY_ROLE_ARN }}" in text
    assert "aws-access-key-id" not in text and "AWS_SECRET_ACCESS_KEY" not in text


def test_the_workflow_matrix_lists_every_contact_center_of_the_config(tmp_path: Path) -> None:
    """Runs the list step's own script in a venv holding only what that step installs, as the runner does."""
    workflow = yaml.safe_load((GITHUB / "workflows" / "deploy.yml").read_text())
    (script,) = [step["run"] for step in workflow["jobs"]["contact-centers"]["steps"] if step.get("id") == "list"]
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    output = tmp_path / "github_output"
    environment = {**os.environ, "PATH": f"{venv / 'bin'}:{os.environ['PATH']}", "GITHUB_OUTPUT": str(output)}
    environment.pop("PYTHONPATH", None)
    subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=PROJECT_ROOT, env=environment, check=True)
    (line,) = output.read_text().splitlines()
    assert line.startswith("names=")
    assert json.loads(line.removeprefix("names=")) == [cc.name for cc in load_config().contact_centers]


PIPELINE = {"github_repository": "acme/contact-center-infra", "account": "111111111111", "region": "ap-northeast-1"}


def _pipeline_template(**overrides: str) -> Template:
    example = load_config().contact_centers[0].model_dump(mode="json", exclude_unset=True, exclude={"function_name"})
    config = parse_config({"contact_centers": [example], "deploy_pipeline": {**PIPELINE, **overrides}})
    app = cdk.App()
    assert config.deploy_pipeline
    stack = DeployPipelineStack(
        app,
        "Pipeline",
        pipeline=config.deploy_pipeline,
        env=cdk.Environment(account="111111111111", region="ap-northeast-1"),
    )
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    app.synth()  # cdk-nag fails the synth on an unacknowledged finding
    return Template.from_stack(stack)


@pytest.fixture(scope="module")
def pipeline() -> Template:
    return _pipeline_template()


def _trust(template: Template, role: str) -> dict:
    return template.find_resources("AWS::IAM::Role")[role]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]


def _role_id(template: Template, prefix: str) -> str:
    return next(logical_id for logical_id in template.find_resources("AWS::IAM::Role") if logical_id.startswith(prefix))


def test_pull_requests_may_only_look_up_and_the_environment_may_deploy(pipeline: Template) -> None:
    plan, deploy = _role_id(pipeline, "PlanRole"), _role_id(pipeline, "DeployRole")
    subjects = {
        role: _trust(pipeline, role)["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"]
        for role in (plan, deploy)
    }
    assert subjects == {
        plan: "repo:acme/contact-center-infra:pull_request",
        deploy: "repo:acme/contact-center-infra:environment:production",
    }
    for role in (plan, deploy):
        assert _trust(pipeline, role)["Condition"]["StringEquals"]["token.actions.githubusercontent.com:aud"] == (
            "sts.amazonaws.com"
        )
    policies = {
        json.dumps(policy["Properties"]["Roles"]): policy["Properties"]["PolicyDocument"]["Statement"]
        for policy in pipeline.find_resources("AWS::IAM::Policy").values()
    }
    granted = {role: policies[json.dumps([{"Ref": role}])] for role in (plan, deploy)}
    assume, preflight = granted[deploy]
    assert assume["Action"] == ["sts:AssumeRole", "sts:TagSession"]
    # what `make deploy` runs first: describe and list calls, never a secret's value
    assert preflight["Action"] == list(PREFLIGHT_READ_ACTIONS)
    assert all(action.split(":")[1].startswith(("Describe", "Get", "List")) for action in preflight["Action"])
    assert "secretsmanager:GetSecretValue" not in preflight["Action"]
    assumable = json.dumps(assume["Resource"])
    assert "deploy-role" in assumable and "file-publishing-role" in assumable


def test_a_pull_request_reads_only_this_projects_stack_templates(pipeline: Template) -> None:
    """A pull request runs its own workflow files: the plan role assumes no bootstrap role (the lookup role
    holds ReadOnlyAccess) and reads only what a template diff reads."""
    plan = _role_id(pipeline, "PlanRole")
    (policy,) = [
        policy["Properties"]["PolicyDocument"]["Statement"]
        for policy in pipeline.find_resources("AWS::IAM::Policy").values()
        if policy["Properties"]["Roles"] == [{"Ref": plan}]
    ]
    granted = {statement["Sid"]: statement for statement in policy}
    assert set(granted) == {"ReadContactCenterStackTemplates", "ReadBootstrapVersion"}
    templates, version = granted["ReadContactCenterStackTemplates"], granted["ReadBootstrapVersion"]
    assert templates["Action"] == ["cloudformation:DescribeStacks", "cloudformation:GetTemplate"]
    assert json.dumps(templates["Resource"]).endswith(':stack/*-SalesforceRestApi/*"]]}')
    assert version["Action"] == "ssm:GetParameter"
    assert json.dumps(version["Resource"]).endswith(':parameter/cdk-bootstrap/hnb659fds/version"]]}')
    everything = json.dumps(policy)
    assert "sts:AssumeRole" not in everything and "lookup-role" not in everything
    assert all(statement["Effect"] == "Allow" and "*" != statement["Resource"] for statement in policy)


def test_the_diff_job_compares_templates_only_with_the_assembly_built_before_credentials() -> None:
    """No change set (it needs the deploy role) and no synth (bundling runs pip) while the plan role is held."""
    workflow = yaml.safe_load((GITHUB / "workflows" / "deploy.yml").read_text())
    steps = workflow["jobs"]["diff"]["steps"]
    diff = next(step for step in steps if "make diff" in step.get("run", ""))
    assert "--method=template" in diff["run"] and "--app cdk.out" in diff["run"]


def test_an_existing_oidc_provider_is_used_instead_of_a_second_one(pipeline: Template) -> None:
    provider = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"
    existing = _pipeline_template(oidc_provider_arn=provider)
    assert len(pipeline.find_resources("AWS::IAM::OIDCProvider")) == 1
    assert existing.find_resources("AWS::IAM::OIDCProvider") == {}
    assert provider in json.dumps(existing.to_json())


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("github_repository", "acme", "owner/name"),
        ("github_repository", "acme/repo\nx", "control characters"),  # config refuses them in every text value
        ("oidc_provider_arn", "arn:aws:iam::111111111111:oidc-provider/example.com", "GitHub OIDC provider"),
        ("environment", "prod env", "GitHub environment"),
    ],
)
def test_a_bad_pipeline_setting_names_the_field_and_the_form(field: str, value: str, message: str) -> None:
    example = load_config().contact_centers[0].model_dump(mode="json", exclude_unset=True, exclude={"function_name"})
    with pytest.raises(ConfigError, match=rf"(?s)field deploy_pipeline\.{field}: .*{message}"):
        parse_config({"contact_centers": [example], "deploy_pipeline": {**PIPELINE, field: value}})


@pytest.mark.parametrize("job", ["diff", "deploy"])
def test_a_job_installs_and_synthesizes_before_it_assumes_a_role(job: str) -> None:
    """Packages are installed (and the bundles built, which runs pip) before credentials exist; with them the
    job only runs the CDK CLI on the assembly already built."""
    steps = yaml.safe_load((GITHUB / "workflows" / "deploy.yml").read_text())["jobs"][job]["steps"]
    (credentials,) = [i for i, step in enumerate(steps) if "configure-aws-credentials" in step.get("uses", "")]
    assert any(step.get("run", "").startswith("make synth") for step in steps[:credentials])
    after = [step["run"] for step in steps[credentials + 1 :]]
    assert after and all(run.startswith(f"make {job} ") and "--app cdk.out" in run for run in after)


def test_the_contact_center_list_installs_from_the_lock_with_hashes() -> None:
    workflow = yaml.safe_load((GITHUB / "workflows" / "deploy.yml").read_text())
    (script,) = [step["run"] for step in workflow["jobs"]["contact-centers"]["steps"] if step.get("id") == "list"]
    installs = [line for line in script.splitlines() if "pip install" in line]
    assert installs and all("--require-hashes" in line or "--no-build-isolation" in line for line in installs)
