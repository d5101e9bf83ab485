"""The component stack of this repository's app: one contact center, one deployable unit.

Everything lives in the ``SalesforceRestApi`` construct (infra/salesforce_rest_api.py); this stack is
its one consumer here, exactly as a platform team's own stack would be. The construct's id is
``Default``, which CDK leaves out of logical ids, so the resources keep the logical ids they had
before the construct existed (tests/infra/test_upgrade_safety.py holds the previous release to that).
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from .config import ContactCenter
from .salesforce_rest_api import SalesforceRestApi


class ContactCenterStack(Stack):
    """One contact center: ``${cc}-salesforce-secret``, ``${cc}-salesforce-access-secret``, the seeder,
    ``${cc}-InvokeSalesforceRestApiFunction`` and its Connect integration."""

    def __init__(self, scope: Construct, construct_id: str, *, contact_center: ContactCenter, **kwargs: Any) -> None:
        super().__init__(
            scope,
            construct_id,
            description=f"Service Cloud Voice: Salesforce REST API from Amazon Connect ({contact_center.name})",
            **kwargs,
        )
        boundary = contact_center.permissions_boundary_arn
        self.api = SalesforceRestApi(
            self,
            "Default",
            contact_center=contact_center,
            permissions_boundary=(
                iam.ManagedPolicy.from_managed_policy_arn(self, "PermissionsBoundary", boundary) if boundary else None
            ),
            role_name_prefix=contact_center.role_name_prefix,
            tags=contact_center.tags,
        )
