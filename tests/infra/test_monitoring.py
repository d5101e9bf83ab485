"""Alarms, the certificate expiry check and the dashboard of a contact center."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Template

from tests.infra.conftest import build_app
from tests.infra.test_stack import only, statements


def metric_name(alarm: dict[str, Any]) -> str:
    """The alarm's metric, whether CDK wrote it flat or as a one-metric Metrics list (with a label)."""
    if "MetricName" in alarm:
        return alarm["MetricName"]
    (metric,) = [m for m in alarm["Metrics"] if "MetricStat" in m]
    return metric["MetricStat"]["Metric"]["MetricName"]


def alarms(template: Template) -> dict[str, dict[str, Any]]:
    return {
        logical.removeprefix("Monitoring").rstrip("0123456789ABCDEF"): alarm["Properties"]
        for logical, alarm in template.find_resources("AWS::CloudWatch::Alarm").items()
    }


def test_every_condition_has_an_alarm_with_the_configured_threshold(example: Template) -> None:
    found = alarms(example)
    assert set(found) == {
        "ErrorRate",
        "LatencyNearConnectLimit",
        "Throttles",
        "ApiUsage",
        "TokenMintFailures",
        "IntegrationDown",
        "CertificateExpiry",
        "InvocationRate",
        "CallsPerContact",
    }
    assert found["ErrorRate"]["Threshold"] == 5
    assert found["LatencyNearConnectLimit"]["Threshold"] == 6000
    (latency,) = found["LatencyNearConnectLimit"]["Metrics"]
    assert latency["MetricStat"]["Stat"] == "p99"
    assert latency["MetricStat"]["Metric"]["MetricName"] == "Duration"
    assert found["Throttles"]["Threshold"] == 0
    assert found["ApiUsage"]["Threshold"] == 80
    assert metric_name(found["ApiUsage"]) == "ApiUsagePercent"
    assert '{"Name": "ContactCenter", "Value": "example-cc"}' in json.dumps(found["ApiUsage"])
    assert metric_name(found["TokenMintFailures"]) == "TokenMintFailures"
    expiry = found["CertificateExpiry"]
    assert (metric_name(expiry), expiry["Threshold"]) == ("CertificateDaysLeft", 30)
    assert expiry["ComparisonOperator"] == "LessThanThreshold"
    assert expiry["TreatMissingData"] == "breaching"  # a check that stopped reporting is itself a problem


def test_a_refused_sign_in_or_an_unavailable_org_raises_the_integration_down_alarm_at_once(
    example: Template,
) -> None:
    """One call failed by either (scv_shared.telemetry: value 1 on such an invocation) is an incident."""
    alarm = alarms(example)["IntegrationDown"]
    (expression,) = [metric for metric in alarm["Metrics"] if "Expression" in metric]
    assert expression["Expression"] == "FILL(refused, 0) + FILL(unavailable, 0)"
    summed = {metric["Id"]: metric["MetricStat"] for metric in alarm["Metrics"] if "MetricStat" in metric}
    assert {name: stat["Metric"]["MetricName"] for name, stat in summed.items()} == {
        "refused": "SignInRefused",
        "unavailable": "OrgUnavailable",
    }
    for stat in summed.values():
        assert stat["Metric"]["Namespace"] == "ServiceCloudVoice/SalesforceRestApi"
        assert stat["Metric"]["Dimensions"] == [{"Name": "ContactCenter", "Value": "example-cc"}]
        assert (stat["Stat"], stat["Period"]) == ("Sum", 300)
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (1, "GreaterThanOrEqualToThreshold")
    assert (alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"]) == (1, 1)
    assert alarm["TreatMissingData"] == "notBreaching"  # no calls, no failures: nothing is down
    assert "scvctl token reset" in alarm["AlarmDescription"]


def test_error_rate_is_errors_over_invocations(example: Template) -> None:
    metrics = alarms(example)["ErrorRate"]["Metrics"]
    expression = next(metric for metric in metrics if "Expression" in metric)
    assert expression["Expression"] == "IF(invocations > 0, 100 * errors / invocations, 0)"
    names = {metric["Id"]: metric["MetricStat"]["Metric"]["MetricName"] for metric in metrics if "MetricStat" in metric}
    assert names == {"errors": "Errors", "invocations": "Invocations"}


def test_alarms_notify_the_configured_or_created_topic(templates: dict[str, Template]) -> None:
    assert all("AlarmActions" not in alarm for alarm in alarms(templates["example"]).values())
    existing = "arn:aws:sns:ap-northeast-1:111111111111:contact-center-ops"
    assert all(alarm["AlarmActions"] == [existing] for alarm in alarms(templates["snapstart"]).values())
    hardened = templates["hardened"]
    topic_id, _ = only(hardened, "AWS::SNS::Topic")
    _, subscription = only(hardened, "AWS::SNS::Subscription")
    assert subscription["Properties"]["Endpoint"] == "ops@example.com"
    assert all(alarm["AlarmActions"] == [{"Ref": topic_id}] for alarm in alarms(hardened).values())


THIS_ACCOUNTS_ALARMS = {
    "StringEquals": {"aws:SourceAccount": "111111111111"},
    "ArnLike": {
        "aws:SourceArn": {
            "Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":cloudwatch:ap-northeast-1:111111111111:alarm:*"]]
        }
    },
}


def test_cloudwatch_alarms_may_use_the_created_topics_own_rotated_key(templates: dict[str, Template]) -> None:
    """Not alias/aws/sns: CloudWatch alarms cannot use the AWS managed key, whose policy cannot be edited."""
    hardened = templates["hardened"]
    key_id, key = only(hardened, "AWS::KMS::Key")
    _, topic = only(hardened, "AWS::SNS::Topic")
    assert topic["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    assert key["Properties"]["EnableKeyRotation"] is True
    by_principal = {json.dumps(s["Principal"]): s for s in key["Properties"]["KeyPolicy"]["Statement"]}
    alarms = by_principal['{"Service": "cloudwatch.amazonaws.com"}']
    assert alarms["Effect"] == "Allow"
    assert alarms["Action"] == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert alarms["Resource"] == "*"  # in a key policy: this key
    assert alarms["Condition"] == THIS_ACCOUNTS_ALARMS
    assert set(by_principal) == {'{"Service": "cloudwatch.amazonaws.com"}', json.dumps(_account_root())}


def _account_root() -> dict[str, Any]:
    """The key's administrator: the account, whose IAM policies then decide (CDK's default key policy)."""
    return {"AWS": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::111111111111:root"]]}}


def test_the_topic_policy_lets_only_this_accounts_alarms_publish_and_only_over_tls(
    templates: dict[str, Template],
) -> None:
    hardened = templates["hardened"]
    topic_id, _ = only(hardened, "AWS::SNS::Topic")
    _, policy = only(hardened, "AWS::SNS::TopicPolicy")
    assert policy["Properties"]["Topics"] == [{"Ref": topic_id}]
    deny_plain_text, allow_alarms = policy["Properties"]["PolicyDocument"]["Statement"]
    assert (deny_plain_text["Effect"], deny_plain_text["Principal"]) == ("Deny", "*")
    assert deny_plain_text["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert allow_alarms["Effect"] == "Allow"
    assert allow_alarms["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert allow_alarms["Action"] == "sns:Publish"
    assert allow_alarms["Resource"] == {"Ref": topic_id}
    assert allow_alarms["Condition"] == THIS_ACCOUNTS_ALARMS


def test_an_adopted_topic_is_used_as_it_is(templates: dict[str, Template]) -> None:
    """Its key and policy are its owner's: the stack makes neither (scvctl preflight warns about alias/aws/sns)."""
    for variant in ("snapstart", "companion", "example"):
        for kind in ("AWS::SNS::Topic", "AWS::SNS::TopicPolicy", "AWS::KMS::Key"):
            assert templates[variant].find_resources(kind) == {}, (variant, kind)


def test_certificate_check_runs_daily_and_may_read_only_the_published_certificate(example: Template) -> None:
    _, rule = only(example, "AWS::Events::Rule")
    assert rule["Properties"]["ScheduleExpression"] == "rate(1 day)"
    check_id, check = only(
        example, "AWS::Lambda::Function", {"Handler": "scv_certificate_check.handler.lambda_handler"}
    )
    assert rule["Properties"]["Targets"][0]["Arn"] == {"Fn::GetAtt": [check_id, "Arn"]}
    granted = statements(example, "MonitoringCertificateCheckRole")
    assert set(granted) == {"WriteOwnLogs", "ReadCertificate"}  # no right on a secret, so none on the key
    assert granted["ReadCertificate"]["Action"] == "ssm:GetParameter"
    assert ":parameter/example-cc/salesforce/certificate" in json.dumps(granted["ReadCertificate"]["Resource"])
    assert "secretsmanager" not in json.dumps(granted) and "kms" not in json.dumps(granted)
    environment = check["Properties"]["Environment"]["Variables"]
    assert environment["CERTIFICATE_PARAMETER_NAME"] == "/example-cc/salesforce/certificate"
    assert "SALESFORCE_SECRET_ID" not in environment


def test_the_seeder_publishes_the_certificate_and_keeps_its_rights(templates: dict[str, Template]) -> None:
    for template in templates.values():
        granted = statements(template, "SeederRole")
        for seed in template.find_resources("Custom::SalesforceSecretSeed").values():  # one per org
            parameter = seed["Properties"]["CertificateParameter"]
            suffix = "Dr" if "Org" in seed["Properties"] else ""
            assert granted[f"PublishCertificate{suffix}"]["Action"] == "ssm:PutParameter"
            assert f":parameter{parameter}" in json.dumps(granted[f"PublishCertificate{suffix}"]["Resource"])
            assert "secretsmanager:GetSecretValue" in granted[f"SeedSalesforceSecrets{suffix}"]["Action"]


def test_dashboard_shows_usage_latency_auth_and_certificate(example: Template) -> None:
    _, dashboard = only(example, "AWS::CloudWatch::Dashboard")
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    for figure in (
        "ApiUsagePercent",
        "Duration",
        "TokenMints",
        "TokenMintFailures",
        "CertificateDaysLeft",
        "Throttles",
        "SignInRefused",
        "OrgUnavailable",
    ):
        assert figure in body
    assert "Connect gives up" in body


def test_every_variant_passes_cdk_nag() -> None:
    app, _ = build_app()
    app.synth()  # raises "Validation failed" on any unacknowledged AwsSolutions finding


def test_a_flood_raises_the_invocation_rate_alarm_within_minutes(example: Template) -> None:
    rate = alarms(example)["InvocationRate"]
    assert (metric_name(rate), rate["Threshold"]) == ("Invocations", 300)
    (metric,) = rate["Metrics"]
    assert (metric["MetricStat"]["Period"], metric["MetricStat"]["Stat"]) == (60, "Sum")
    assert rate["ComparisonOperator"] == "GreaterThanThreshold"


def test_a_looping_flow_shows_as_one_contact_with_many_invocations(example: Template) -> None:
    """Counted per contact id by Contributor Insights from the summary lines (an id is no dimension)."""
    _, rule = only(example, "AWS::CloudWatch::InsightRule")
    body = json.loads(rule["Properties"]["RuleBody"])
    assert body["LogGroupNames"] == ["/aws/lambda/example-cc-InvokeSalesforceRestApiFunction"]
    assert body["Contribution"]["Keys"] == ["$.contact_id"]
    assert body["Contribution"]["Filters"] == [
        {"Match": "$.message", "In": ["invocation succeeded", "invocation failed"]}
    ]
    assert body["AggregateOn"] == "Count"
    alarm = alarms(example)["CallsPerContact"]
    (expression,) = alarm["Metrics"]
    assert expression["Expression"] == (
        f"INSIGHT_RULE_METRIC('{rule['Properties']['RuleName']}', 'MaxContributorValue')"
    )
    assert (alarm["Threshold"], alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"]) == (20, 1, 1)


def test_dashboard_has_an_entry_per_org(example: Template) -> None:
    _, dashboard = only(example, "AWS::CloudWatch::Dashboard")
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    for org in ("default", "dr"):
        assert f"Org {org}: invocations, errors, token mints, integration down" in body
        for figure in ("Errors", "SignInRefused", "OrgUnavailable"):
            # its metrics carry the Org dimension the invoker writes
            assert f'\\"{figure}\\",\\"ContactCenter\\",\\"example-cc\\",\\"Org\\",\\"{org}\\"' in body
