"""The synthesized stack of one contact center: every resource and every IAM statement."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Match, Template
from scv_salesforce.config import ConfigError
from scv_salesforce.stack import ContactCenterStack

from tests.infra.conftest import KMS_KEY_ARN, contact_center

CONNECT_PERMISSION = {"Principal": "connect.amazonaws.com"}
CONNECT_INSTANCE_ARN = "arn:aws:connect:ap-northeast-1:111111111111:instance/00000000-0000-4000-8000-000000000000"


def only(template: Template, resource_type: str, props: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
    found = template.find_resources(resource_type, {"Properties": props} if props else None)
    assert len(found) == 1, f"expected one {resource_type} {props or ''}, found {list(found)}"
    return next(iter(found.items()))


def statements(template: Template, role_logical_prefix: str) -> dict[str, dict[str, Any]]:
    """The statements of the policy attached to the role whose logical id starts with the prefix, by Sid."""
    for policy in template.find_resources("AWS::IAM::Policy").values():
        roles = [role["Ref"] for role in policy["Properties"]["Roles"]]
        if any(role.startswith(role_logical_prefix) for role in roles):
            return {s.get("Sid", f"#{i}"): s for i, s in enumerate(policy["Properties"]["PolicyDocument"]["Statement"])}
    raise AssertionError(f"no policy for role {role_logical_prefix}*")


def logical_id(template: Template, resource_type: str, props: dict[str, Any]) -> str:
    return only(template, resource_type, props)[0]


def seed_of(template: Template, org: str | None = None) -> tuple[str, dict[str, Any]]:
    """The seed resource of the contact center's own org (no ``Org`` property) or of a further org."""
    found = [
        (logical, resource)
        for logical, resource in template.find_resources("Custom::SalesforceSecretSeed").items()
        if resource["Properties"].get("Org") == org
    ]
    assert len(found) == 1, f"expected one seed of org {org}, found {len(found)}"
    return found[0]


def secret_ref(template: Template, name: str) -> dict[str, str]:
    return {"Ref": logical_id(template, "AWS::SecretsManager::Secret", {"Name": name})}


# --- secrets -------------------------------------------------------------------------------------


def test_secrets_have_the_public_contract_names_start_empty_and_are_retained(example: Template) -> None:
    for name in ("example-cc-salesforce-secret", "example-cc-salesforce-access-secret"):
        _, secret = only(example, "AWS::SecretsManager::Secret", {"Name": name})
        assert secret["DeletionPolicy"] == "Retain"
        assert secret["UpdateReplacePolicy"] == "Retain"
        assert "SecretString" not in secret["Properties"]
        assert "GenerateSecretString" not in secret["Properties"]
        assert "KmsKeyId" not in secret["Properties"]


def test_secrets_use_the_configured_customer_managed_key_or_are_adopted(templates: dict[str, Template]) -> None:
    hardened = templates["hardened"]
    # adopt_existing_secrets: the hand-made secrets are imported by name, not created
    hardened.resource_count_is("AWS::SecretsManager::Secret", 0)
    invoker = statements(hardened, "InvokerRole")
    assert invoker["UseSecretsKeyThroughSecretsManager"]["Resource"] == KMS_KEY_ARN
    assert invoker["UseSecretsKeyThroughSecretsManager"]["Condition"] == {
        "StringEquals": {"kms:ViaService": "secretsmanager.ap-northeast-1.amazonaws.com"}
    }
    read = invoker["ReadSalesforceSecrets"]["Resource"]
    assert [json.dumps(arn) for arn in read] == [
        json.dumps(
            {
                "Fn::Join": [
                    "",
                    [
                        "arn:",
                        {"Ref": "AWS::Partition"},
                        f":secretsmanager:ap-northeast-1:111111111111:secret:{name}-??????",
                    ],
                ]
            }
        )
        for name in ("hardened-salesforce-secret", "hardened-salesforce-access-secret")
    ]


# --- IAM: least privilege -------------------------------------------------------------------------


def test_invoker_may_read_both_secrets_write_only_the_token_and_its_own_logs(example: Template) -> None:
    main = secret_ref(example, "example-cc-salesforce-secret")
    access = secret_ref(example, "example-cc-salesforce-access-secret")
    dr_main = secret_ref(example, "example-cc-dr-salesforce-secret")
    dr_access = secret_ref(example, "example-cc-dr-salesforce-access-secret")
    invoker = statements(example, "InvokerRole")
    # exactly the declared secrets: the contact center's pair and the further org's, nothing else
    assert set(invoker) == {
        "WriteOwnLogs", "ReadSalesforceSecrets", "CacheAccessToken", "ReadSalesforceSecretsDr", "CacheAccessTokenDr"
    }  # fmt: skip
    assert invoker["ReadSalesforceSecrets"]["Action"] == "secretsmanager:GetSecretValue"
    assert invoker["ReadSalesforceSecrets"]["Resource"] == [main, access]
    assert invoker["CacheAccessToken"]["Action"] == "secretsmanager:PutSecretValue"
    assert invoker["CacheAccessToken"]["Resource"] == access
    assert invoker["ReadSalesforceSecretsDr"]["Resource"] == [dr_main, dr_access]
    assert invoker["CacheAccessTokenDr"]["Resource"] == dr_access
    assert invoker["WriteOwnLogs"]["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    log_group = logical_id(
        example, "AWS::Logs::LogGroup", {"LogGroupName": "/aws/lambda/example-cc-InvokeSalesforceRestApiFunction"}
    )
    assert invoker["WriteOwnLogs"]["Resource"][0] == {"Fn::GetAtt": [log_group, "Arn"]}


def test_invoker_gets_every_further_orgs_endpoints_from_the_config(example: Template) -> None:
    """Endpoints from the org's salesforce_url and api_version (never derived from its audience), and its ARNs."""
    _, function = only(example, "AWS::Lambda::Function", {"FunctionName": "example-cc-InvokeSalesforceRestApiFunction"})
    separator, parts = function["Properties"]["Environment"]["Variables"]["SALESFORCE_ORGS"]["Fn::Join"]
    text = separator.join(part if isinstance(part, str) else f"<{part['Ref']}>" for part in parts)
    assert json.loads(text) == [
        {
            "name": "dr",
            "restApiEndpointBase": "https://example-dr.my.salesforce.com/services/data/v68.0",
            "authEndpoint": "https://example-dr.my.salesforce.com/services/oauth2/token",
            "secretId": f"<{secret_ref(example, 'example-cc-dr-salesforce-secret')['Ref']}>",
            "accessSecretId": f"<{secret_ref(example, 'example-cc-dr-salesforce-access-secret')['Ref']}>",
            "callCenterApiName": "ExampleCallCenter",
        }
    ]


def test_seeder_may_write_only_the_declared_secrets_and_stage_keys_on_the_main_ones(example: Template) -> None:
    main = secret_ref(example, "example-cc-salesforce-secret")
    access = secret_ref(example, "example-cc-salesforce-access-secret")
    seeder = statements(example, "SeederRole")
    assert set(seeder) == {
        "WriteOwnLogs", "SeedSalesforceSecrets", "StageRotatedKeys", "PublishCertificate",
        "SeedSalesforceSecretsDr", "StageRotatedKeysDr", "PublishCertificateDr",
    }  # fmt: skip
    assert seeder["SeedSalesforceSecrets"]["Action"] == [
        "secretsmanager:GetSecretValue",
        "secretsmanager:DescribeSecret",
        "secretsmanager:PutSecretValue",
    ]
    assert seeder["SeedSalesforceSecrets"]["Resource"] == [main, access]
    assert seeder["StageRotatedKeys"]["Resource"] == main
    assert seeder["StageRotatedKeysDr"]["Resource"] == secret_ref(example, "example-cc-dr-salesforce-secret")


def test_no_statement_allows_everything(templates: dict[str, Template]) -> None:
    for variant, template in templates.items():
        for policy in template.find_resources("AWS::IAM::Policy").values():
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                resources = (
                    statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
                )
                assert "*" not in resources, f"{variant}: {statement}"
                actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                assert not any(action.endswith(":*") or action == "*" for action in actions), f"{variant}: {statement}"


def test_roles_have_no_aws_managed_policies_except_cdks_provider_framework(example: Template) -> None:
    for logical, role in example.find_resources("AWS::IAM::Role").items():
        if logical.startswith("SeederProviderframework"):
            continue
        assert "ManagedPolicyArns" not in role["Properties"], logical


# --- the invoker --------------------------------------------------------------------------------------


def test_invoker_function_is_named_for_the_contact_center_and_fits_connects_time_limit(example: Template) -> None:
    _, function = only(example, "AWS::Lambda::Function", {"FunctionName": "example-cc-InvokeSalesforceRestApiFunction"})
    props = function["Properties"]
    assert props["Runtime"] in ("python3.12", "python3.13")
    assert props["Architectures"] == ["x86_64"]
    assert props["Handler"] == "scv_invoker.handler.lambda_handler"
    assert props["Timeout"] <= 8
    assert props["MemorySize"] == 128  # the default: issue #30's rule applied to benchmarks/RESULTS.md, section 8
    assert "LoggingConfig" in props and "ApplicationLogLevel" not in props["LoggingConfig"]
    assert props["Layers"][0].endswith(":layer:AWS-Parameters-and-Secrets-Lambda-Extension:4")


def test_invoker_environment_points_only_at_the_configured_org_and_secrets(example: Template) -> None:
    _, function = only(example, "AWS::Lambda::Function", {"FunctionName": "example-cc-InvokeSalesforceRestApiFunction"})
    env = function["Properties"]["Environment"]["Variables"]
    main = logical_id(example, "AWS::SecretsManager::Secret", {"Name": "example-cc-salesforce-secret"})
    access = logical_id(example, "AWS::SecretsManager::Secret", {"Name": "example-cc-salesforce-access-secret"})
    assert env["SALESFORCE_REST_API_ENDPOINT_BASE"] == "https://example-org.my.salesforce.com/services/data/v68.0"
    assert env["SALESFORCE_AUTH_ENDPOINT"] == "https://example-org.my.salesforce.com/services/oauth2/token"
    assert env["CALL_CENTER_API_NAME"] == "ExampleCallCenter"
    assert env["CONTACT_CENTER_NAME"] == "example-cc"
    assert env["LOG_LEVEL"] == "INFO"
    assert env["SALESFORCE_SECRET_ID"] == {"Ref": main}
    assert env["SALESFORCE_ACCESS_SECRET_ID"] == {"Ref": access}
    assert env["PARAMETERS_SECRETS_EXTENSION_HTTP_PORT"] == "2773"


def test_invoker_log_group_has_retention(example: Template) -> None:
    _, log_group = only(
        example, "AWS::Logs::LogGroup", {"LogGroupName": "/aws/lambda/example-cc-InvokeSalesforceRestApiFunction"}
    )
    assert log_group["Properties"]["RetentionInDays"] == 90


def test_invoker_runs_only_after_the_seeder_filled_the_secrets(example: Template) -> None:
    _, function = only(example, "AWS::Lambda::Function", {"FunctionName": "example-cc-InvokeSalesforceRestApiFunction"})
    assert {seed_of(example)[0], seed_of(example, "dr")[0]} <= set(function["DependsOn"])


# --- the seeder custom resource -----------------------------------------------------------------------


def test_seeder_receives_the_config_but_no_secret_material(example: Template, templates: dict[str, Template]) -> None:
    _, seed = seed_of(example)
    props = seed["Properties"]
    assert props["Subject"] == "integration.user@example.com"
    assert props["Audience"] == "https://login.salesforce.com/"
    assert "ConsumerKey" not in props  # set with scvctl: a template keeps its properties in plain text
    assert props["AdoptExisting"] == "false"
    assert {"KeyRotation", "CertificateRenewal", "CertificateValidityDays", "CertificateCommonName"} <= set(props)
    assert "PrivateKey" not in json.dumps(props)
    _, sandbox_seed = seed_of(templates["hardened"])
    assert sandbox_seed["Properties"]["Audience"] == "https://test.salesforce.com/"
    assert sandbox_seed["Properties"]["AdoptExisting"] == "true"


def test_each_further_org_has_its_own_seed_of_its_own_secrets(example: Template) -> None:
    _, seed = seed_of(example, "dr")
    props = seed["Properties"]
    assert props["ContactCenter"] == "example-cc"  # the JSON key names stay the contact center's
    assert props["MainSecretId"] == secret_ref(example, "example-cc-dr-salesforce-secret")
    assert props["AccessSecretId"] == secret_ref(example, "example-cc-dr-salesforce-access-secret")
    assert props["Subject"] == "integration.user@example.com.dr"
    assert props["CertificateCommonName"] == "example-cc dr Salesforce JWT"
    assert props["SettingsVersion"] == (
        "https://example-dr.my.salesforce.com/services/data/v68.0|https://example-dr.my.salesforce.com/services/oauth2/token"
    )


def test_stack_outputs_the_function_secrets_and_certificate(example: Template) -> None:
    outputs = example.find_outputs("*")
    assert {
        "InvokerFunctionArn",
        "SalesforceSecretArn",
        "SalesforceAccessSecretArn",
        "Certificate",
        "CertificateFingerprintSha256",
        "CertificateNotAfter",
        "PendingKeyRotation",
        "OrgDrSalesforceSecretArn",
        "OrgDrSalesforceAccessSecretArn",
        "OrgDrCertificate",
        "OrgDrCertificateFingerprintSha256",
        "OrgDrCertificateNotAfter",
        "OrgDrPendingKeyRotation",
    } <= set(outputs)
    assert outputs["Certificate"]["Value"] == {"Fn::GetAtt": [seed_of(example)[0], "Certificate"]}
    assert outputs["OrgDrCertificate"]["Value"] == {"Fn::GetAtt": [seed_of(example, "dr")[0], "Certificate"]}


# --- Connect ---------------------------------------------------------------------------------------------


def test_only_the_configured_connect_instance_may_invoke_the_function(example: Template) -> None:
    _, permission = only(example, "AWS::Lambda::Permission", CONNECT_PERMISSION)
    props = permission["Properties"]
    assert props["Principal"] == "connect.amazonaws.com"
    assert props["Action"] == "lambda:InvokeFunction"
    assert props["SourceArn"] == CONNECT_INSTANCE_ARN
    assert props["SourceAccount"] == "111111111111"


def test_function_is_associated_with_the_instance_unless_already_associated_by_hand(
    templates: dict[str, Template],
) -> None:
    _, association = only(templates["example"], "AWS::Connect::IntegrationAssociation")
    assert association["Properties"]["InstanceId"] == CONNECT_INSTANCE_ARN
    assert association["Properties"]["IntegrationType"] == "LAMBDA_FUNCTION"
    templates["hardened"].resource_count_is("AWS::Connect::IntegrationAssociation", 0)
    only(templates["hardened"], "AWS::Lambda::Permission", CONNECT_PERMISSION)


def test_without_a_connect_instance_the_connect_parts_are_skipped_with_a_note(templates: dict[str, Template]) -> None:
    template = templates["no-connect"]
    for resource_type in ("AWS::Connect::IntegrationAssociation", "AWS::Connect::ContactFlow"):
        template.resource_count_is(resource_type, 0)
    assert not template.find_resources("AWS::Lambda::Permission", {"Properties": CONNECT_PERMISSION})
    assert "skipped" in template.find_outputs("ConnectIntegration")["ConnectIntegration"]["Value"]


# --- cold-start mitigation ---------------------------------------------------------------------------------


def test_provisioned_concurrency_runs_on_an_alias_that_connect_calls(templates: dict[str, Template]) -> None:
    template = templates["hardened"]
    alias_id, alias = only(template, "AWS::Lambda::Alias")
    assert alias["Properties"]["Name"] == "live"
    assert alias["Properties"]["ProvisionedConcurrencyConfig"] == {"ProvisionedConcurrentExecutions": 2}
    _, permission = only(template, "AWS::Lambda::Permission", CONNECT_PERMISSION)
    assert permission["Properties"]["FunctionName"] == {"Ref": alias_id}


def test_snapstart_publishes_versions_and_the_flow_calls_the_alias(templates: dict[str, Template]) -> None:
    template = templates["snapstart"]
    _, function = only(template, "AWS::Lambda::Function", {"FunctionName": "snap-InvokeSalesforceRestApiFunction"})
    assert function["Properties"]["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    alias_id, alias = only(template, "AWS::Lambda::Alias")
    assert "ProvisionedConcurrencyConfig" not in alias["Properties"]
    _, association = only(template, "AWS::Connect::IntegrationAssociation")
    assert association["Properties"]["IntegrationArn"] == {"Ref": alias_id}
    flows = template.find_resources("AWS::Connect::ContactFlow").values()
    assert len(flows) == 2
    for flow in flows:
        assert json.dumps({"Ref": alias_id}) in json.dumps(flow["Properties"]["Content"])


def test_nothing_is_provisioned_by_default(example: Template) -> None:
    example.resource_count_is("AWS::Lambda::Alias", 0)
    example.resource_count_is("AWS::Lambda::Version", 0)
    example.has_resource_properties(
        "AWS::Lambda::Function",
        {"FunctionName": "example-cc-InvokeSalesforceRestApiFunction", "SnapStart": Match.absent()},
    )


def test_the_invoker_reserves_its_configured_concurrency_so_a_flood_is_throttled(
    templates: dict[str, Template],
) -> None:
    _, invoker = only(templates["example"], "AWS::Lambda::Function", {"Handler": "scv_invoker.handler.lambda_handler"})
    assert invoker["Properties"]["ReservedConcurrentExecutions"] == 25
    _, uncapped = only(
        templates["snapstart"], "AWS::Lambda::Function", {"Handler": "scv_invoker.handler.lambda_handler"}
    )
    assert "ReservedConcurrentExecutions" not in uncapped["Properties"]


def test_contact_attributes_may_pick_the_org_unless_the_config_turns_them_off(example: Template) -> None:
    """SCV's multi-org flows set secretName with Set contact attributes, so they may by default; the setting
    turns that off for contact centers whose attributes come from callers (chat, task, Lex)."""
    _, function = only(example, "AWS::Lambda::Function", {"FunctionName": "example-cc-InvokeSalesforceRestApiFunction"})
    assert "SALESFORCE_ORG_FROM_CONTACT_ATTRIBUTES" not in function["Properties"]["Environment"]["Variables"]
    app = cdk.App(context={"aws:cdk:bundling-stacks": []})
    stack = ContactCenterStack(
        app, "attrs-off", contact_center=contact_center(name="attrsoff", org_from_contact_attributes=False),
        env=cdk.Environment(account="111111111111", region="ap-northeast-1"),
    )  # fmt: skip
    _, function = only(
        Template.from_stack(stack),
        "AWS::Lambda::Function",
        {"FunctionName": "attrsoff-InvokeSalesforceRestApiFunction"},
    )
    assert function["Properties"]["Environment"]["Variables"]["SALESFORCE_ORG_FROM_CONTACT_ATTRIBUTES"] == "false"


def _read_denials(template: Template) -> dict[str, dict[str, Any]]:
    """The GetSecretValue denial of each secret's resource policy, by the secret's logical id."""
    found = {}
    for policy in template.find_resources("AWS::SecretsManager::ResourcePolicy").values():
        (statement,) = policy["Properties"]["ResourcePolicy"]["Statement"]
        found[policy["Properties"]["SecretId"]["Ref"]] = statement
    return found


def test_only_the_functions_may_read_the_secrets_this_stack_makes(example: Template) -> None:
    """The AWS managed key adds no check: without a resource policy any principal allowed GetSecretValue on *
    (administrators, the CloudFormation execution role) could read the private key."""
    secrets = example.find_resources("AWS::SecretsManager::Secret")
    denials = _read_denials(example)
    assert set(denials) == set(secrets)
    invoker, seeder = (logical_id(example, "AWS::IAM::Role", {"Description": Match.string_like_regexp(f)})
                       for f in ("read the Salesforce secrets", "secret seeder"))  # fmt: skip
    for statement in denials.values():
        assert statement["Effect"] == "Deny" and statement["Principal"] == {"AWS": "*"}
        assert statement["Action"] == "secretsmanager:GetSecretValue"
        readers = statement["Condition"]["ArnNotEquals"]["aws:PrincipalArn"]
        assert sorted(readers, key=json.dumps) == sorted(
            [{"Fn::GetAtt": [invoker, "Arn"]}, {"Fn::GetAtt": [seeder, "Arn"]}], key=json.dumps
        )


def test_adopted_secrets_keep_their_own_policy(templates: dict[str, Template]) -> None:
    """SCV's function reads SCV's secrets (beside, companion), and hand-made secrets are left as they are."""
    for variant in ("beside", "companion", "hardened"):
        assert templates[variant].find_resources("AWS::SecretsManager::ResourcePolicy") == {}, variant


def test_the_break_glass_role_may_read_and_the_policy_can_be_turned_off() -> None:
    def built(name: str, **overrides: Any) -> Template:
        app = cdk.App(context={"aws:cdk:bundling-stacks": []})
        stack = ContactCenterStack(app, name, contact_center=contact_center(name=name, **overrides),
                                   env=cdk.Environment(account="111111111111", region="ap-northeast-1"))  # fmt: skip
        return Template.from_stack(stack)

    break_glass = "arn:aws:iam::111111111111:role/SecretsBreakGlass"
    for statement in _read_denials(built("glass", break_glass_role_arn=break_glass)).values():
        assert break_glass in statement["Condition"]["ArnNotEquals"]["aws:PrincipalArn"]
    assert _read_denials(built("open", restrict_secret_reads=False)) == {}


def test_a_break_glass_role_must_be_a_role_arn() -> None:
    with pytest.raises(ConfigError, match="field break_glass_role_arn: must be an IAM role ARN"):
        contact_center(break_glass_role_arn="arn:aws:iam::111111111111:user/alice")
