"""The contact center's nested sections: the certificate the seeder makes, and the monitoring settings."""

from __future__ import annotations

from pydantic import Field, model_validator
from scv_shared import constants

from .types import SnsTopicArn, StrictModel


class Certificate(StrictModel):
    """The self-signed certificate the seeder makes; bump the counters to rotate or renew."""

    common_name: str | None = Field(default=None, max_length=64)
    validity_days: int = Field(
        default=constants.CERTIFICATE_VALIDITY_DAYS, ge=1, le=constants.CERTIFICATE_MAX_VALIDITY_DAYS
    )
    key_rotation: int = Field(default=0, ge=0, description="bump to stage a new key pair as pending")
    renewal: int = Field(default=0, ge=0, description="bump to issue a new certificate for the same key")
    activate_pending_key: bool = Field(
        default=False, description="promote a staged key to current on this deploy (after uploading its certificate)"
    )


class Monitoring(StrictModel):
    """Alarm thresholds and where alarms are sent (an email needs the topic this stack creates)."""

    alarm_topic_arn: SnsTopicArn | None = None
    create_alarm_topic: bool = False
    alarm_email: str | None = None
    error_rate_percent: float = Field(default=5.0, gt=0, le=100)
    p99_duration_ms: int = Field(default=6000, ge=500, le=7900)
    api_usage_percent: float = Field(default=80.0, gt=0, le=100)
    certificate_expiry_warning_days: int = Field(default=30, ge=1, le=365)
    invocations_per_minute: int = Field(
        default=300,
        ge=1,
        description="invocation-rate alarm: more than this many in a minute, two minutes of three (a flood or a "
        "loop; 300 a minute is 432,000 API requests a day, more than most orgs' daily allowance)",
    )
    calls_per_contact: int = Field(
        default=20,
        ge=2,
        description="looping-flow alarm: one contact making more than this many invocations in 5 minutes",
    )

    @model_validator(mode="after")
    def _email_needs_created_topic(self) -> Monitoring:
        if self.alarm_email and not self.create_alarm_topic:
            where = (
                "subscribe it to alarm_topic_arn's topic yourself and remove alarm_email"
                if self.alarm_topic_arn
                else "set create_alarm_topic: true so this stack creates the topic and subscribes it"
            )
            raise ValueError(f"alarm_email {self.alarm_email} would never receive an alarm: {where}")
        return self
