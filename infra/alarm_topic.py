"""``AlarmTopic``: the SNS topic this stack's alarms notify, when the config asks the stack to create one."""

from __future__ import annotations

from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct


class AlarmTopic(Construct):
    """An SNS topic for alarms, reached over TLS only.

    :param display_name: the topic's display name (the sender name of its e-mails).
    :param email: an address to subscribe. Default: none.

    Attribute: ``topic``.
    """

    def __init__(self, scope: Construct, construct_id: str, *, display_name: str, email: str | None = None) -> None:
        super().__init__(scope, construct_id)
        # "Default": CDK leaves it out of logical ids, so the topic keeps the id it had as the monitoring's child
        self.topic = sns.Topic(
            self,
            "Default",
            display_name=display_name,
            master_key=kms.Alias.from_alias_name(self, "SnsKey", "alias/aws/sns"),
            enforce_ssl=True,
        )
        if email:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))
