"""``scvctl flows list`` and ``flows switch`` over an SCV-provisioned account with our function beside SCV's:
listing, the dry run, backups before updates, restore, and a failure half-way that leaves no flow half-written.

Connect answers through botocore's Stubber (tests/emulators/scv_account.py): each update's expected content is
queued, so an update with any other content, or an update not asked for (the dry run), fails the test.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from scvctl.flow_content import FlowContentError, FunctionArn, invoked_functions, repoint

from tests.cli.conftest import CC, RunCli, WriteConfig
from tests.emulators.scv_account import STACK_NAME_TAG, AccountBuilder, ConnectStub, ContactFlow, Layout, flow_content

BESIDE_FUNCTION = f"{CC}-SalesforceRestApiFunction"
OTHER_FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:testcc-CTRDataSyncFunction:active"


@dataclass
class Beside:
    """SCV's account with our function deployed beside it (mode beside), and its config."""

    scv: Layout
    ours: Layout
    config: Path

    @property
    def scv_flows(self) -> list[ContactFlow]:
        return self.scv.flows


@pytest.fixture
def beside(account: AccountBuilder, scv_config: WriteConfig) -> Beside:
    scv = account.scv_provisioned()
    ours = account.ours(BESIDE_FUNCTION, secrets=False)
    return Beside(scv, ours, scv_config(mode="beside"))


def flows(run_cli: RunCli, config: Path, *argv: str) -> tuple[int, str]:
    result = run_cli("flows", *argv[:1], CC, *argv[1:], "--config", str(config))
    return result.code, result.out + result.err


# ------------------------------------------------------------------------------------------------ ARNs and content


@pytest.mark.parametrize(
    ("text", "qualifier"),
    [
        ("arn:aws:lambda:us-east-1:123456789012:function:acme-InvokeSalesforceRestApiFunction", None),
        ("arn:aws:lambda:us-east-1:123456789012:function:acme-InvokeSalesforceRestApiFunction:active", "active"),
        ("arn:aws:lambda:us-east-1:123456789012:function:acme-InvokeSalesforceRestApiFunction:7", "7"),
        ("arn:aws:lambda:us-east-1:123456789012:function:acme-InvokeSalesforceRestApiFunction:$LATEST", "$LATEST"),
    ],
)
def test_function_arns_parse_with_or_without_a_qualifier_and_print_back_unchanged(
    text: str, qualifier: str | None
) -> None:
    arn = FunctionArn.parse(text)
    assert arn is not None and arn.qualifier == qualifier and str(arn) == text
    bare = FunctionArn.parse("arn:aws:lambda:us-east-1:123456789012:function:acme-InvokeSalesforceRestApiFunction")
    assert bare is not None and arn.is_function(bare)


@pytest.mark.parametrize(
    "text",
    ["$.Attributes.lambdaArn", "acme-InvokeSalesforceRestApiFunction", "arn:aws:lambda:us-east-1:123:function:x"],
)
def test_what_is_not_a_function_arn_is_left_alone(text: str) -> None:
    assert FunctionArn.parse(text) is None
    assert invoked_functions({"Parameters": {"LambdaFunctionARN": text}}) == []


def test_repoint_changes_only_the_arn_strings_byte_for_byte() -> None:
    old = "arn:aws:lambda:us-east-1:123456789012:function:acme-InvokeSalesforceRestApiFunction:active"
    new = "arn:aws:lambda:us-east-1:123456789012:function:acme-SalesforceRestApiFunction"
    content = flow_content(old)
    assert repoint(content, {old: new}, "f") == content.replace(old, new)
    assert invoked_functions(json.loads(content)) == [FunctionArn.parse(old)]


def test_repoint_refuses_content_that_spells_the_arn_with_escapes() -> None:
    old = "arn:aws:lambda:us-east-1:123456789012:function:acme-InvokeSalesforceRestApiFunction"
    escaped = json.dumps({"Parameters": {"LambdaFunctionARN": old}}).replace(":function:", "\\u003afunction:")
    with pytest.raises(FlowContentError, match="JSON escapes"):
        repoint(escaped, {old: old + ":active"}, "f")


# ------------------------------------------------------------------------------------------------ list


def test_list_names_the_flows_that_invoke_scvs_function_or_ours(
    run_cli: RunCli, beside: Beside, connect: ConnectStub
) -> None:
    unrelated = ContactFlow("00000000-0000-4000-8000-0000000000aa", "CTR sync", flow_content(OTHER_FUNCTION_ARN))
    sample = ContactFlow(
        "00000000-0000-4000-8000-0000000000bb",
        "Our sample",
        flow_content(beside.ours.our_target_arn),
        tags={STACK_NAME_TAG: f"{CC}-SalesforceRestApi"},
    )
    connect.flows([*beside.scv_flows, unrelated, sample])
    code, output = flows(run_cli, beside.config, "list")
    assert code == 0, output
    assert "SCV inbound 1 (CONTACT_FLOW, 00000000-0000-4000-8000-000000000001)" in output
    assert f"Service Cloud Voice's function: {beside.scv.scv_alias_arn}" in output
    assert f"Service Cloud Voice's function: {beside.scv.scv_function_arn}" in output  # the bare ARN, too
    assert f"Our sample (CONTACT_FLOW, {sample.id}) [made by our stack]" in output
    assert f"our function: {beside.ours.our_target_arn}" in output
    assert "CTR sync" not in output


def test_a_never_published_flow_is_named_and_passed_over(run_cli: RunCli, beside: Beside, connect: ConnectStub) -> None:
    draft = ContactFlow("00000000-0000-4000-8000-0000000000cc", "Draft", flow_content(beside.scv.scv_alias_arn))
    connect.unpublished(draft)
    code, output = flows(run_cli, beside.config, "list")
    assert code == 0, output
    assert f"flow Draft ({draft.id}): never published, so not read" in output
    assert "No contact flow of instance" in output


# ------------------------------------------------------------------------------------------------ switch


def test_the_dry_run_prints_each_change_and_changes_nothing(
    run_cli: RunCli, beside: Beside, connect: ConnectStub, tmp_path: Path
) -> None:
    connect.flows(beside.scv_flows)
    code, output = flows(run_cli, beside.config, "switch", "--to", "ours", "--backup-dir", str(tmp_path / "b"))
    assert code == 0, output
    target = beside.ours.our_target_arn
    assert f"  {beside.scv.scv_alias_arn} -> {target}" in output
    assert f"  {beside.scv.scv_function_arn} -> {target}" in output
    assert "Dry run: 2 flows would change; nothing was changed" in output
    assert not (tmp_path / "b").exists()


def test_apply_backs_every_flow_up_then_switches_it_and_restore_puts_it_back(
    run_cli: RunCli, beside: Beside, connect: ConnectStub, tmp_path: Path
) -> None:
    target = beside.ours.our_target_arn
    connect.flows(beside.scv_flows)
    for flow in beside.scv_flows:
        connect.describe(flow)  # read again just before its update
        connect.update(flow.id, flow_content(target))
    backups = tmp_path / "backups"
    code, output = flows(run_cli, beside.config, "switch", "--to", "ours", "--apply", "--backup-dir", str(backups))
    assert code == 0, output
    assert f"Switched 2 flows to {target}" in output
    assert f"--restore {backups}" in output
    for flow in beside.scv_flows:
        backup = json.loads((backups / f"{flow.id}.json").read_text(encoding="utf-8"))
        assert backup["content"] == flow.content and backup["flow_id"] == flow.id
        assert backup["switched_content"] == flow_content(target)  # what restore checks the flow still holds
        assert (backups / f"{flow.id}.json").stat().st_mode & 0o077 == 0

    switched = [replace(flow, content=flow_content(target)) for flow in beside.scv_flows]
    for flow in switched:  # files in name order: the flow ids; each read again before anything is written
        connect.describe(flow)
    for flow in beside.scv_flows:
        connect.update(flow.id, flow.content)
    code, output = flows(run_cli, beside.config, "switch", "--restore", str(backups), "--apply")
    assert code == 0, output
    assert "Restored 2 flows" in output


def _switched_with_backups(beside: Beside, connect: ConnectStub, run_cli: RunCli, backups: Path) -> list[ContactFlow]:
    """Both SCV flows switched to ours with --apply; the flows as the switch left them."""
    target = beside.ours.our_target_arn
    connect.flows(beside.scv_flows)
    for flow in beside.scv_flows:
        connect.describe(flow)
        connect.update(flow.id, flow_content(target))
    code, output = flows(run_cli, beside.config, "switch", "--to", "ours", "--apply", "--backup-dir", str(backups))
    assert code == 0, output
    return [replace(flow, content=flow_content(target)) for flow in beside.scv_flows]


def test_restore_is_a_dry_run_unless_applied(
    run_cli: RunCli, beside: Beside, connect: ConnectStub, tmp_path: Path
) -> None:
    switched = _switched_with_backups(beside, connect, run_cli, tmp_path / "b")
    for flow in switched:
        connect.describe(flow)  # no update queued: one would fail the test
    code, output = flows(run_cli, beside.config, "switch", "--restore", str(tmp_path / "b"))
    assert code == 0, output
    assert "Dry run: 2 flows would be restored; nothing was changed" in output and "--apply" in output


def test_restore_refuses_a_flow_edited_since_the_switch_unless_forced(
    run_cli: RunCli, beside: Beside, connect: ConnectStub, tmp_path: Path
) -> None:
    """An old backup must not silently discard what was edited after the switch."""
    first, second = _switched_with_backups(beside, connect, run_cli, tmp_path / "b")
    edited = replace(second, content=json.dumps({**json.loads(second.content), "Description": "edited later"}))
    connect.describe(first)
    connect.describe(edited)
    code, output = flows(run_cli, beside.config, "switch", "--restore", str(tmp_path / "b"), "--apply")
    assert code == 1
    assert f"{second.name} ({second.id}): it was edited since the switch" in output
    assert "nothing was restored" in output and "--force" in output

    connect.describe(first)
    connect.describe(edited)
    for flow in beside.scv_flows:
        connect.update(flow.id, flow.content)
    code, output = flows(run_cli, beside.config, "switch", "--restore", str(tmp_path / "b"), "--apply", "--force")
    assert code == 0, output
    assert "Restored 2 flows" in output


def test_restore_refuses_a_flow_with_unpublished_changes(
    run_cli: RunCli, beside: Beside, connect: ConnectStub, tmp_path: Path
) -> None:
    first, second = _switched_with_backups(beside, connect, run_cli, tmp_path / "b")
    connect.describe(first)
    connect.describe(replace(second, draft=flow_content(OTHER_FUNCTION_ARN)))
    code, output = flows(run_cli, beside.config, "switch", "--restore", str(tmp_path / "b"), "--apply")
    assert code == 1
    assert "it has unpublished changes" in output and "nothing was restored" in output


def test_switch_leaves_a_flow_with_unpublished_changes_alone(
    run_cli: RunCli, beside: Beside, connect: ConnectStub, tmp_path: Path
) -> None:
    """UpdateContactFlowContent publishes: the draft would go live unseen, and a restore would lose it."""
    first, second = beside.scv_flows
    connect.flows([first, replace(second, draft=flow_content(OTHER_FUNCTION_ARN))])
    connect.describe(first)
    connect.update(first.id, flow_content(beside.ours.our_target_arn))
    backups = tmp_path / "b"
    code, output = flows(run_cli, beside.config, "switch", "--to", "ours", "--apply", "--backup-dir", str(backups))
    assert code == 0, output
    assert f"{second.name} (CONTACT_FLOW, {second.id}): skipped, it has unpublished changes" in output
    assert "Switched 1 flow to" in output
    assert [path.name for path in backups.iterdir()] == [f"{first.id}.json"]


def test_a_failed_update_puts_that_flow_back_and_says_which_flows_changed(
    run_cli: RunCli, beside: Beside, connect: ConnectStub, tmp_path: Path
) -> None:
    target = beside.ours.our_target_arn
    first, second = beside.scv_flows
    connect.flows(beside.scv_flows)
    connect.describe(first)
    connect.update(first.id, flow_content(target))
    connect.describe(second)
    connect.update_fails(second.id, flow_content(target))
    connect.update(second.id, second.content)  # put back from its backup
    backups = tmp_path / "backups"
    code, output = flows(run_cli, beside.config, "switch", "--to", "ours", "--apply", "--backup-dir", str(backups))
    assert code == 1
    assert f"updating flow SCV inbound 2 (CONTACT_FLOW, {second.id}) failed" in output
    assert "InvalidContactFlowException" in output
    assert "it was put back from its backup" in output
    assert f"Switched before it: SCV inbound 1 (CONTACT_FLOW, {first.id})" in output
    assert f"Backups: {backups}" in output
    assert sorted(path.name for path in backups.iterdir()) == [f"{first.id}.json", f"{second.id}.json"]


def test_switching_back_to_scv_targets_its_active_alias(
    run_cli: RunCli, account: AccountBuilder, scv_config: WriteConfig, connect: ConnectStub, tmp_path: Path
) -> None:
    scv = account.scv_provisioned(flows=0)
    ours = account.ours(BESIDE_FUNCTION, secrets=False, live_alias=True)
    bare = ours.our_target_arn.rsplit(":", 1)[0]
    switched = [
        ContactFlow("00000000-0000-4000-8000-000000000011", "Moved 1", flow_content(ours.our_target_arn)),
        ContactFlow("00000000-0000-4000-8000-000000000012", "Moved 2", flow_content(bare)),
    ]
    connect.flows(switched)
    for flow in switched:
        connect.describe(flow)
        connect.update(flow.id, flow_content(scv.scv_alias_arn))
    config = scv_config(mode="beside")
    code, output = flows(run_cli, config, "switch", "--to", "scv", "--apply", "--backup-dir", str(tmp_path / "b"))
    assert code == 0, output
    assert f"Switched 2 flows to {scv.scv_alias_arn}" in output


def test_restore_refuses_a_backup_of_another_instance_before_changing_anything(
    run_cli: RunCli, beside: Beside, connect: ConnectStub, tmp_path: Path
) -> None:
    backups = tmp_path / "backups"
    backups.mkdir()
    other = {"instance_id": "another", "flow_id": "f", "name": "n", "content": "{}"}
    (backups / "f.json").write_text(json.dumps(other), encoding="utf-8")
    code, output = flows(run_cli, beside.config, "switch", "--restore", str(backups))
    assert code == 1
    assert "is a flow of Connect instance another" in output and "nothing was restored" in output


def test_switch_needs_mode_beside(run_cli: RunCli, scv_config: WriteConfig) -> None:
    code, output = flows(run_cli, scv_config(mode="companion"), "switch", "--to", "ours")
    assert code == 1
    assert "set mode: beside" in output


def test_switch_to_ours_needs_our_deployed_stack(
    run_cli: RunCli, account: AccountBuilder, scv_config: WriteConfig
) -> None:
    account.scv_provisioned()
    code, output = flows(run_cli, scv_config(mode="beside"), "switch", "--to", "ours")
    assert code == 1
    assert f"has no output InvokerFunctionArn naming {BESIDE_FUNCTION}" in output
    assert f"make deploy CONTACT_CENTER={CC}" in output


def test_switch_to_scv_needs_its_active_alias(
    run_cli: RunCli, account: AccountBuilder, scv_config: WriteConfig
) -> None:
    account.function(f"{CC}-InvokeSalesforceRestApiFunction", "nodejs20.x", {})
    code, output = flows(run_cli, scv_config(mode="beside"), "switch", "--to", "scv")
    assert code == 1
    assert "or its alias active was not found" in output


def test_apply_stops_at_a_flow_edited_after_the_plan_read_it(
    run_cli: RunCli, beside: Beside, connect: ConnectStub, tmp_path: Path
) -> None:
    """Plan and apply: each flow is read again just before its update, so an edit made meanwhile is not lost."""
    target = beside.ours.our_target_arn
    first, second = beside.scv_flows
    connect.flows(beside.scv_flows)
    connect.describe(first)
    connect.update(first.id, flow_content(target))
    connect.describe(replace(second, content=json.dumps({**json.loads(second.content), "Description": "meanwhile"})))
    backups = tmp_path / "backups"
    code, output = flows(run_cli, beside.config, "switch", "--to", "ours", "--apply", "--backup-dir", str(backups))
    assert code == 1
    assert f"flow SCV inbound 2 (CONTACT_FLOW, {second.id}) changed after it was read" in output
    assert f"Switched before it: SCV inbound 1 (CONTACT_FLOW, {first.id})" in output
