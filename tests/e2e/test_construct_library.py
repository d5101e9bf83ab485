"""The construct library as a platform team uses it: build the wheel, install it into a fresh venv with the
pinned aws-cdk-lib, add ``SalesforceRestApi`` to a stack of their own beside an unrelated construct, with a
permissions boundary, a role-name prefix and tags, synthesize (bundling from the installed package), and
run the invoker bundle of that synth against the emulators.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

import pytest

from tests.harness.fixtures import ContainerFactory
from tools.emulators.salesforce import SalesforceEmulator
from tools.emulators.secrets import FakeSecretsExtension, MotoSecretsServer
from tools.harness.deployment import deploy
from tools.harness.events import SEED_CONSOLE_TEST_EVENT
from tools.harness.synth import PROJECT_ROOT, CloudAssembly, cdk_cli_env

# one worker builds the wheel once: setuptools builds in the checkout's build/, which two workers at once collide in
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("construct-library-wheel")]

STACK = "PlatformTeamStack"
CONSTRUCT_ID = "ContactCenter"
BOUNDARY = "PlatformTeamBoundary"

CONSUMER_APP = f'''
import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3

from scv_salesforce import ContactCenter, SalesforceRestApi

app = cdk.App()
stack = cdk.Stack(app, "{STACK}", env=cdk.Environment(account="111111111111", region="ap-northeast-1"))
s3.Bucket(stack, "UnrelatedBucket", enforce_ssl=True)
contact_center = ContactCenter(
    name="team-cc",
    salesforce_url="https://team.my.salesforce.com",
    username="integration@team.example",
    call_center_api_name="TeamCallCenter",
    connect_instance_arn="arn:aws:connect:ap-northeast-1:111111111111:instance/00000000-0000-4000-8000-000000000000",
)
api = SalesforceRestApi(
    stack,
    "{CONSTRUCT_ID}",
    contact_center=contact_center,
    permissions_boundary=iam.ManagedPolicy.from_managed_policy_name(stack, "Boundary", "{BOUNDARY}"),
    role_name_prefix="platform-",
    tags={{"cost-center": "cc-42"}},
)
cdk.CfnOutput(stack, "InvokerRoleArn", value=api.role.role_arn)
cdk.CfnOutput(stack, "Dashboard", value=api.dashboard.dashboard_name)
app.synth()
'''


def _run(command: list[str], **kwargs) -> None:  # noqa: ANN003 - subprocess.run's keywords
    result = subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)
    assert result.returncode == 0, f"{' '.join(command)}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"


@pytest.fixture(scope="module")
def consumer_assembly(tmp_path_factory: pytest.TempPathFactory) -> CloudAssembly:
    work = tmp_path_factory.mktemp("platform-team")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(work / "dist"), str(PROJECT_ROOT)])
    (wheel,) = (work / "dist").glob("scv_salesforce_rest_api-*.whl")
    _run([sys.executable, "-m", "venv", str(work / "venv")])
    python = str(work / "venv" / "bin" / "python")
    # The wheel's own dependency ranges, held to this repository's pins.
    pip_install = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    # A constraints file with hashes would demand a hash of the wheel itself: the pins alone.
    pins = re.findall(r"^[A-Za-z0-9_.-]+==[^\s;\\]+", (PROJECT_ROOT / "requirements.txt").read_text(), re.MULTILINE)
    (work / "constraints.txt").write_text("\n".join(pins) + "\n")
    _run([*pip_install, "-c", str(work / "constraints.txt"), str(wheel)])
    app = work / "app"
    app.mkdir()
    (app / "app.py").write_text(textwrap.dedent(CONSUMER_APP))
    environment = cdk_cli_env()
    environment.pop("PYTHONPATH", None)  # nothing of this checkout: only what the wheel installed
    cdk = str(PROJECT_ROOT / "node_modules" / ".bin" / "cdk")  # the pinned CLI, as the team's own would be
    _run(
        [cdk, "synth", "--quiet", "--app", f"{python} app.py", "--output", str(work / "cdk.out")],
        cwd=app,
        env=environment,
    )
    return CloudAssembly(work / "cdk.out")


def test_the_construct_sits_in_the_teams_own_stack_with_their_boundary_names_and_tags(
    consumer_assembly: CloudAssembly,
) -> None:
    resources = consumer_assembly.template(STACK)["Resources"]
    by_type: dict[str, list[dict]] = {}
    for resource in resources.values():
        by_type.setdefault(resource["Type"], []).append(resource["Properties"] if "Properties" in resource else {})

    assert len(by_type["AWS::S3::Bucket"]) == 1, "the team's own construct stays beside ours"
    assert {secret["Name"] for secret in by_type["AWS::SecretsManager::Secret"]} == {
        "team-cc-salesforce-secret",
        "team-cc-salesforce-access-secret",
    }
    assert "team-cc-InvokeSalesforceRestApiFunction" in {
        f.get("FunctionName") for f in by_type["AWS::Lambda::Function"]
    }
    roles = by_type["AWS::IAM::Role"]
    assert roles and all(BOUNDARY in str(role["PermissionsBoundary"]) for role in roles), "a role without the boundary"
    assert all(role["RoleName"].startswith("platform-team-cc-") for role in roles)
    assert len({role["RoleName"] for role in roles}) == len(roles)
    for function in by_type["AWS::Lambda::Function"]:
        assert {"Key": "cost-center", "Value": "cc-42"} in function["Tags"]


def test_the_invoker_bundled_from_the_installed_wheel_answers_the_guides_console_test(
    consumer_assembly: CloudAssembly,
    salesforce: SalesforceEmulator,
    secrets_server: MotoSecretsServer,
    secrets_extension: FakeSecretsExtension,
    start_container: ContainerFactory,
) -> None:
    deployment = deploy(
        consumer_assembly,
        STACK,
        salesforce=salesforce,
        secrets_server=secrets_server,
        extension=secrets_extension,
        start_container=start_container,
        construct_id=CONSTRUCT_ID,
    )
    assert deployment.invoker.asset_dir.is_relative_to(consumer_assembly.outdir)
    with deployment.start_invoker() as invoker:
        answer = invoker.invoke(SEED_CONSOLE_TEST_EVENT)
    assert answer.ok, answer.error
    assert answer.payload == {}
