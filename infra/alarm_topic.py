"""``AlarmTopic``: the SNS topic this stack's alarms notify, when the config asks the stack to create one.

CloudWatch alarms publish as the service cloudwatch.amazonaws.com, so the topic must let that service in twice:
its KMS key's policy must let it use the key (the AWS managed key alias/aws/sns cannot: its policy cannot be
edited, and alarms to a topic under it are dropped), and the topic's policy must let it publish, beside the
statement that refuses anything but TLS (which replaces SNS's default policy). Both are scoped to this account's
alarms, so no other account's alarm can use either.
"""

from __future__ import annotations

from aws_cdk import ArnFormat, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

#: what CloudWatch needs of a topic's key to publish an alarm to it
CLOUDWATCH_KEY_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey*"]


class AlarmTopic(Construct):
    """An SNS topic for alarms, under its own customer managed key (rotated yearly), reached over TLS only.

    :param display_name: the topic's display name (the sender name of its e-mails).
    :param email: an address to subscribe. Default: none.

    Attributes: ``topic``, ``key``.
    """

    def __init__(self, scope: Construct, construct_id: str, *, display_name: str, email: str | None = None) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        alarms = iam.ServicePrincipal("cloudwatch.amazonaws.com")
        this_accounts_alarms = stack.format_arn(
            service="cloudwatch", resource="alarm", resource_name="*", arn_format=ArnFormat.COLON_RESOURCE_NAME
        )
        from_this_accounts_alarms = {
            "StringEquals": {"aws:SourceAccount": stack.account},
            "ArnLike": {"aws:SourceArn": this_accounts_alarms},
        }
        self.key = kms.Key(
            self,
            "Key",
            description=f"{display_name}: encrypts the alarm topic; CloudWatch alarms may use it to publish",
            enable_key_rotation=True,
            # it protects messages in flight only: nothing stays encrypted under it once the topic is gone
            removal_policy=RemovalPolicy.DESTROY,
            pending_window=Duration.days(7),
        )
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchAlarmsUseTheKey",
                principals=[alarms],
                actions=CLOUDWATCH_KEY_ACTIONS,
                resources=["*"],  # in a key policy, "*" is this key
                conditions=from_this_accounts_alarms,
            )
        )
        # "Default": CDK leaves it out of logical ids, so the topic keeps the id it had as the monitoring's child
        self.topic = sns.Topic(self, "Default", display_name=display_name, master_key=self.key, enforce_ssl=True)
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchAlarmsPublish",
                principals=[alarms],
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
                conditions=from_this_accounts_alarms,
            )
        )
        if email:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))
