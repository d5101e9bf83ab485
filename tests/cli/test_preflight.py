"""``scvctl preflight``: from each laid-out account (tests/emulators/scv_account.py) and each relevant mode, the
modes that fit, every conflict with its fix, and the exit status 0 (clean) / 1 (conflict) / 2 (unreadable)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.cli.conftest import CC, RunCli, WriteConfig, assert_no_secret_values
from tests.emulators.scv_account import AccountBuilder, ConnectStub, Layout
from tools.emulators.secrets import REGION, MotoSecretsServer

SCV_FUNCTION = f"{CC}-InvokeSalesforceRestApiFunction"
BESIDE_FUNCTION = f"{CC}-SalesforceRestApiFunction"
STACK = f"{CC}-SalesforceRestApi"
MAIN_SECRET = f"{CC}-salesforce-secret"
ACCESS_SECRET = f"{CC}-salesforce-access-secret"


def preflight(run_cli: RunCli, config: Path) -> tuple[int, str, list[str]]:
    """Exit status, stdout, and the conflict lines."""
    result = run_cli("preflight", CC, "--config", str(config))
    conflicts = re.findall(r"^  - (.+)$", result.out, flags=re.MULTILINE)
    return result.code, result.out + result.err, conflicts


def fitting_modes(output: str) -> list[str]:
    return re.findall(r"^  (greenfield|beside|companion): ", output, flags=re.MULTILINE)


def scv_account(account: AccountBuilder, connect: ConnectStub, **options: bool) -> Layout:
    layout = account.scv_provisioned(**options)
    connect.associations(layout.associated)
    return layout


# ------------------------------------------------------------------------------------------------ empty


def test_an_empty_account_fits_greenfield_alone(
    run_cli: RunCli, scv_config: WriteConfig, account: AccountBuilder, connect: ConnectStub
) -> None:
    account.empty()
    connect.associations([])
    code, output, conflicts = preflight(run_cli, scv_config())
    assert code == 0, output
    assert conflicts == []
    assert fitting_modes(output) == ["greenfield"]
    assert f"Function {SCV_FUNCTION} (SCV's name, and ours in mode greenfield): not found" in output
    assert f"Secret {MAIN_SECRET}: not found" in output
    assert f"Stack {STACK}: not deployed" in output
    assert "OK: mode greenfield would deploy cleanly" in output


@pytest.mark.parametrize("mode", ["beside", "companion"])
def test_an_empty_account_has_no_scv_secrets_to_adopt(
    run_cli: RunCli, scv_config: WriteConfig, account: AccountBuilder, connect: ConnectStub, mode: str
) -> None:
    connect.associations([])
    code, output, conflicts = preflight(run_cli, scv_config(mode=mode))
    assert code == 1
    expected = [
        f"secret {name}: not found, and mode {mode} adopts the secrets Service Cloud Voice made: "
        "choose mode: greenfield"
        for name in (MAIN_SECRET, ACCESS_SECRET)
    ]
    if mode == "companion":
        expected.insert(
            0,
            f"function {SCV_FUNCTION}: not found, and mode companion keeps Service Cloud Voice's function instead of "
            "deploying ours: choose mode: greenfield",
        )
    assert conflicts == expected
    assert fitting_modes(output) == ["greenfield"]


# ------------------------------------------------------------------------------------------------ SCV-provisioned


def test_greenfield_into_an_scv_account_names_every_conflict_and_the_modes_that_fit(
    run_cli: RunCli, scv_config: WriteConfig, account: AccountBuilder, connect: ConnectStub
) -> None:
    layout = scv_account(account, connect)
    code, output, conflicts = preflight(run_cli, scv_config())
    assert code == 1
    scv_stack = account.scv_stack
    assert conflicts == [
        f"function {SCV_FUNCTION}: exists (stack {scv_stack}, runtime nodejs20.x): Service Cloud Voice's function: "
        "set mode: companion (keep SCV's function) or mode: beside (run ours next to it)",
        f"log group /aws/lambda/{SCV_FUNCTION}: exists (Lambda made it on a first invocation), so creating it would "
        "fail: set adopt_log_group: true",
        *(
            f"secret {name}: exists (stack {scv_stack}), so creating it would fail: set adopt_existing_secrets: true"
            for name in (MAIN_SECRET, ACCESS_SECRET)
        ),
        f"Connect association {layout.scv_alias_arn}: exists already (made outside our stack), so making it again "
        "would fail: set associate_with_connect: false",
    ]
    assert fitting_modes(output) == ["beside", "companion"]
    assert "    mode: beside\n" in output and "    mode: companion\n" in output
    assert f"exists, runtime nodejs20.x, stack {scv_stack}, aliases: active" in output
    assert f"{layout.scv_alias_arn} (Service Cloud Voice's function)" in output


def test_preflight_lists_the_json_key_names_scv_wrote_and_never_a_value(
    run_cli: RunCli, scv_config: WriteConfig, account: AccountBuilder, connect: ConnectStub
) -> None:
    layout = scv_account(account, connect)
    code, output, _ = preflight(run_cli, scv_config(mode="companion"))
    assert code == 0, output
    for key in (
        f"{CC}-salesforce-rest-api-auth-consumer-key",
        f"{CC}-salesforce-rest-api-auth-private-key",
        f"{CC}-scrt-jwt-auth-private-key",
        f"{CC}-org-id",
        f"{CC}-realtime-alert",
        f"{CC}-salesforce-rest-api-access-token",
    ):
        assert key in output
    assert "KMS: AWS managed key aws/secretsmanager" in output
    assert_no_secret_values(output, *layout.secret_values)
    assert "integration@example.com" not in output  # the subject: a username, personal data


@pytest.mark.parametrize("mode", ["companion", "beside"])
def test_scv_account_deploys_cleanly_as_companion_or_beside(
    run_cli: RunCli, scv_config: WriteConfig, account: AccountBuilder, connect: ConnectStub, mode: str
) -> None:
    scv_account(account, connect)
    code, output, conflicts = preflight(run_cli, scv_config(mode=mode))
    assert (code, conflicts) == (0, []), output
    assert f"OK: mode {mode} would deploy cleanly" in output
    if mode == "beside":
        assert f"Function {BESIDE_FUNCTION} (ours in mode beside): not found" in output
        assert f"Function {SCV_FUNCTION} (SCV's name, and ours in mode greenfield): exists" in output


def test_an_identity_that_may_not_read_secret_values_still_gets_the_verdict(
    run_cli: RunCli,
    scv_config: WriteConfig,
    account: AccountBuilder,
    connect: ConnectStub,
    secrets_server: MotoSecretsServer,
) -> None:
    """The deploy pipeline's role: describe and list calls only (infra/deploy_pipeline.py)."""
    scv_account(account, connect)
    secrets_server.fail_next("GetSecretValue", times=2, code="AccessDeniedException", message="not allowed")
    code, output, conflicts = preflight(run_cli, scv_config(mode="companion"))
    assert (code, conflicts) == (0, []), output
    assert output.count("JSON keys: (not readable with these credentials: secretsmanager:GetSecretValue") == 2


def test_a_customer_kms_key_on_scv_secrets_must_be_named_in_the_config(
    run_cli: RunCli, scv_config: WriteConfig, account: AccountBuilder, connect: ConnectStub
) -> None:
    layout = scv_account(account, connect, customer_kms_key=True)
    code, output, conflicts = preflight(run_cli, scv_config(mode="companion"))
    key = layout.kms_key_arn
    assert code == 1
    assert conflicts == [
        f"secret {name}: is encrypted with the customer KMS key {key}, which our roles need to use: "
        f"set kms_key_arn: {key}"
        for name in (MAIN_SECRET, ACCESS_SECRET)
    ]
    assert f"    mode: companion; kms_key_arn: {key}\n" in output

    connect.associations(layout.associated)
    code, output, conflicts = preflight(run_cli, scv_config(mode="companion", kms_key_arn=key))
    assert (code, conflicts) == (0, []), output


def test_beside_with_an_existing_log_group_of_its_own_name_needs_adopt_log_group(
    run_cli: RunCli, scv_config: WriteConfig, account: AccountBuilder, connect: ConnectStub
) -> None:
    scv_account(account, connect)
    account.log_group(f"/aws/lambda/{BESIDE_FUNCTION}", {})
    code, _, conflicts = preflight(run_cli, scv_config(mode="beside"))
    assert code == 1
    assert conflicts == [
        f"log group /aws/lambda/{BESIDE_FUNCTION}: exists (Lambda made it on a first invocation), so creating it "
        "would fail: set adopt_log_group: true"
    ]
    connect.associations([])
    assert preflight(run_cli, scv_config(mode="beside", adopt_log_group=True))[0] == 0


def test_adopting_a_log_group_that_is_not_there_is_a_conflict(
    run_cli: RunCli, scv_config: WriteConfig, account: AccountBuilder, connect: ConnectStub
) -> None:
    """Lambda would create it, but only with logs:CreateLogGroup, which the invoker's role does not hold."""
    scv_account(account, connect)
    code, _, conflicts = preflight(run_cli, scv_config(mode="beside", adopt_log_group=True))
    assert code == 1
    assert conflicts == [
        f"log group /aws/lambda/{BESIDE_FUNCTION}: does not exist, and our function may write only to its own log "
        "group (not create one), so it would log nothing: remove adopt_log_group (the stack then creates it)"
    ]


def test_a_further_org_without_its_secrets_conflicts_when_they_are_adopted(
    run_cli: RunCli, scv_config: WriteConfig, account: AccountBuilder, connect: ConnectStub
) -> None:
    scv_account(account, connect)
    org = {"name": "dr", "salesforce_url": "https://testcc-dr.my.salesforce.com", "username": "dr@example.com"}
    code, _, conflicts = preflight(run_cli, scv_config(mode="beside", orgs=[org]))
    assert code == 1
    assert [line.split(":")[0] for line in conflicts] == [
        f"secret {CC}-dr-salesforce-secret",
        f"secret {CC}-dr-salesforce-access-secret",
    ]


# ------------------------------------------------------------------------------------------------ half-deployed


def test_a_rolled_back_first_deploy_must_be_deleted_and_its_retained_secrets_adopted(
    run_cli: RunCli, scv_config: WriteConfig, account: AccountBuilder, connect: ConnectStub
) -> None:
    account.half_deployed(SCV_FUNCTION, stack_status="ROLLBACK_COMPLETE")
    connect.associations([])
    code, output, conflicts = preflight(run_cli, scv_config())
    assert code == 1
    left_by = f"left by an earlier deploy of our stack {STACK}, which is gone"
    assert conflicts == [
        f"stack {STACK}: is ROLLBACK_COMPLETE (its first deploy failed) and cannot be updated: delete it (aws "
        f"cloudformation delete-stack --stack-name {STACK}); its secrets are retained and adopted with "
        "adopt_existing_secrets: true",
        f"log group /aws/lambda/{SCV_FUNCTION}: exists (Lambda made it on a first invocation), so creating it would "
        "fail: set adopt_log_group: true",
        f"secret {MAIN_SECRET}: exists ({left_by}), so creating it would fail: set adopt_existing_secrets: true",
        f"secret {ACCESS_SECRET}: exists ({left_by}), so creating it would fail: set adopt_existing_secrets: true",
    ]
    assert "No mode deploys cleanly into this account as it is" in output


def test_retained_secrets_of_a_deleted_stack_fit_greenfield_with_adoption(
    run_cli: RunCli, scv_config: WriteConfig, account: AccountBuilder, connect: ConnectStub
) -> None:
    account.half_deployed(SCV_FUNCTION, stack_status=None)
    connect.associations([])
    code, output, _ = preflight(run_cli, scv_config())
    assert code == 1
    assert fitting_modes(output) == ["greenfield"]
    assert "    mode: greenfield; adopt_log_group: true; adopt_existing_secrets: true\n" in output

    connect.associations([])
    code, output, _ = preflight(run_cli, scv_config(adopt_existing_secrets=True, adopt_log_group=True))
    assert code == 0, output


# ------------------------------------------------------------------------------------------------ already ours


def test_what_our_live_stack_made_is_clean(
    run_cli: RunCli, scv_config: WriteConfig, account: AccountBuilder, connect: ConnectStub
) -> None:
    layout = account.ours(SCV_FUNCTION)
    connect.associations([layout.our_target_arn])
    code, output, conflicts = preflight(run_cli, scv_config())
    assert (code, conflicts) == (0, []), output
    assert f"Stack {STACK}: CREATE_COMPLETE" in output
    assert f"our stack {STACK}" in output
    assert f"{layout.our_target_arn} (our function)" in output


def test_ours_beside_scv_is_clean(
    run_cli: RunCli, scv_config: WriteConfig, account: AccountBuilder, connect: ConnectStub
) -> None:
    scv = account.scv_provisioned()
    ours = account.ours(BESIDE_FUNCTION, secrets=False)
    connect.associations([*scv.associated, ours.our_target_arn])
    code, output, conflicts = preflight(run_cli, scv_config(mode="beside"))
    assert (code, conflicts) == (0, []), output
    assert f"{ours.our_target_arn} (our function)" in output
    assert f"{scv.scv_alias_arn} (Service Cloud Voice's function)" in output


# ------------------------------------------------------------------------------------------------ unreadable


def test_a_connect_instance_that_is_not_there_is_a_conflict(
    run_cli: RunCli, scv_config: WriteConfig, account: AccountBuilder, connect: ConnectStub
) -> None:
    connect.no_instance()
    code, _, conflicts = preflight(run_cli, scv_config())
    assert code == 1
    assert conflicts[0].startswith("Connect instance ") and "check connect_instance_arn" in conflicts[0]


def test_no_credentials_exits_2(run_cli: RunCli, scv_config: WriteConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    code, output, _ = preflight(run_cli, scv_config())
    assert code == 2
    assert "the account could not be read" in output and "no AWS credentials" in output


def test_access_denied_exits_2_naming_the_permission(
    run_cli: RunCli, scv_config: WriteConfig, account: AccountBuilder, secrets_server: MotoSecretsServer
) -> None:
    account.scv_provisioned()
    secrets_server.fail_next("DescribeSecret", status=400, code="AccessDeniedException", message="not allowed")
    code, output, _ = preflight(run_cli, scv_config())
    assert code == 2
    assert "access denied: DescribeSecret (AccessDeniedException)" in output
    assert "secretsmanager:DescribeSecret" in output


# ------------------------------------------------------------------------------------------------ hand-made resources


def test_adopting_secrets_that_are_not_there_is_a_conflict(
    run_cli: RunCli, scv_config: WriteConfig, account: AccountBuilder, connect: ConnectStub
) -> None:
    connect.associations([])
    code, _, conflicts = preflight(run_cli, scv_config(adopt_existing_secrets=True))
    assert code == 1
    assert conflicts == [
        f"secret {name}: not found, but adopt_existing_secrets is true: remove adopt_existing_secrets (the stack "
        "then creates it), or create it per the setup guide"
        for name in (MAIN_SECRET, ACCESS_SECRET)
    ]


def test_a_secret_scheduled_for_deletion_must_be_restored(
    run_cli: RunCli, scv_config: WriteConfig, account: AccountBuilder, connect: ConnectStub
) -> None:
    account.secrets(account.empty(), {})
    account.client("secretsmanager").delete_secret(SecretId=MAIN_SECRET, RecoveryWindowInDays=7)
    connect.associations([])
    code, output, conflicts = preflight(run_cli, scv_config(adopt_existing_secrets=True))
    assert code == 1
    assert conflicts == [
        f"secret {MAIN_SECRET}: is scheduled for deletion, so its name cannot be used: restore it (aws "
        f"secretsmanager restore-secret --secret-id {MAIN_SECRET}) and adopt it"
    ]
    assert f"Secret {MAIN_SECRET}: scheduled for deletion (not made by CloudFormation)" in output


def test_beside_under_a_name_another_function_has_conflicts(
    run_cli: RunCli, scv_config: WriteConfig, account: AccountBuilder, connect: ConnectStub
) -> None:
    scv_account(account, connect)
    account.function("testcc-Custom", "python3.12", {})
    code, _, conflicts = preflight(run_cli, scv_config(mode="beside", function_name="testcc-Custom"))
    assert code == 1
    assert conflicts[0] == (
        "function testcc-Custom: exists (not made by CloudFormation, runtime python3.12): set another function_name, "
        "or delete that function"
    )


def test_taking_over_from_a_removed_scv_function_confirms_greenfield_with_the_name_pinned(
    run_cli: RunCli, scv_config: WriteConfig, account: AccountBuilder, connect: ConnectStub
) -> None:
    account.scv_provisioned()
    ours = account.ours(BESIDE_FUNCTION, secrets=False)
    account.client("lambda").delete_function(FunctionName=SCV_FUNCTION)
    connect.associations([ours.our_target_arn])
    config = scv_config(function_name=BESIDE_FUNCTION, adopt_existing_secrets=True)
    code, output, conflicts = preflight(run_cli, config)
    assert (code, conflicts) == (0, []), output
    assert f"Function {SCV_FUNCTION} (SCV's name, and ours in mode greenfield): not found" in output


# ------------------------------------------------------------------------------------------------ alarm topic


def warnings(output: str) -> list[str]:
    return re.findall(r"^Warning: (.+)$", output, flags=re.MULTILINE)


@pytest.mark.parametrize("key", ["alias/aws/sns", f"arn:aws:kms:{REGION}:123456789012:alias/aws/sns"])
def test_an_adopted_alarm_topic_under_snss_managed_key_is_a_warning_with_the_fix(
    run_cli: RunCli, scv_config: WriteConfig, account: AccountBuilder, connect: ConnectStub, key: str
) -> None:
    """CloudWatch alarms cannot publish to a topic encrypted with alias/aws/sns: the alarms would reach no one."""
    account.empty()
    connect.associations([])
    arn = account.client("sns").create_topic(Name="ops", Attributes={"KmsMasterKeyId": key})["TopicArn"]
    code, output, conflicts = preflight(run_cli, scv_config(monitoring={"alarm_topic_arn": arn}))
    assert (code, conflicts) == (0, []), output  # it deploys: the warning leaves the verdict as it is
    assert f"Alarm topic {arn}: exists, KMS: AWS managed key alias/aws/sns" in output
    assert warnings(output) == [
        f"alarm topic {arn} (alarm_topic_arn): encrypted with the AWS managed key alias/aws/sns, which CloudWatch "
        "alarms cannot use, so no alarm would reach anyone: encrypt it with a customer managed key whose key policy "
        "allows cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*, or remove alarm_topic_arn and set "
        "create_alarm_topic: true"
    ]


def test_an_adopted_alarm_topic_under_a_customer_key_needs_no_warning(
    run_cli: RunCli, scv_config: WriteConfig, account: AccountBuilder, connect: ConnectStub
) -> None:
    account.empty()
    connect.associations([])
    key = account.client("kms").create_key(Description="alarm topic")["KeyMetadata"]["Arn"]
    arn = account.client("sns").create_topic(Name="ops", Attributes={"KmsMasterKeyId": key})["TopicArn"]
    code, output, _ = preflight(run_cli, scv_config(monitoring={"alarm_topic_arn": arn}))
    assert code == 0, output
    assert f"Alarm topic {arn}: exists, KMS: {key}" in output
    assert warnings(output) == []


def test_an_adopted_alarm_topic_that_is_not_there_is_a_warning(
    run_cli: RunCli, scv_config: WriteConfig, account: AccountBuilder, connect: ConnectStub
) -> None:
    account.empty()
    connect.associations([])
    arn = f"arn:aws:sns:{REGION}:123456789012:nobody-made-this"
    code, output, _ = preflight(run_cli, scv_config(monitoring={"alarm_topic_arn": arn}))
    assert code == 0, output
    assert warnings(output) == [
        f"alarm topic {arn} (alarm_topic_arn): not found, so no alarm would reach anyone: create it or correct the ARN"
    ]
