"""Role names with a prefix, for accounts whose SCPs or permission boundaries match on role names.

Without a prefix CloudFormation generates every role's name, which is what most stacks want: renaming a
role replaces it. With one, each role of the construct is named ``<prefix><cc>-<unit>``, the unit being
the role's place in the construct tree (``Invoker``, ``Seeder``, ...), cut to IAM's 64 characters with
a short hash that keeps cut names unique.
"""

from __future__ import annotations

import hashlib
from typing import cast

import jsii
from aws_cdk import Aspects, CfnResource, IAspect
from aws_cdk import aws_iam as iam
from constructs import Construct, IConstruct

MAX_ROLE_NAME_LENGTH = 64
_LEFT_OUT = {"Resource", "Role", "ServiceRole", "Default"}


@jsii.implements(IAspect)
class RoleNamePrefix:
    """Names every ``AWS::IAM::Role`` below ``scope``."""

    def __init__(self, scope: Construct, *, prefix: str, contact_center: str) -> None:
        self._scope = scope
        self._stem = f"{prefix}{contact_center}-"

    @classmethod
    def of(cls, scope: Construct, *, prefix: str, contact_center: str) -> None:
        Aspects.of(scope).add(cls(scope, prefix=prefix, contact_center=contact_center))

    def visit(self, node: IConstruct) -> None:
        # CfnRoles that CDK creates inside iam.Role reach Python as plain constructs, not as iam.CfnRole.
        if not CfnResource.is_cfn_resource(node):
            return
        resource = cast(CfnResource, node)  # what is_cfn_resource checked, which isinstance cannot under jsii
        if resource.cfn_resource_type == iam.CfnRole.CFN_RESOURCE_TYPE_NAME:
            resource.add_property_override("RoleName", self.name_for(resource))

    def name_for(self, role: IConstruct) -> str:
        path = role.node.path.removeprefix(self._scope.node.path).strip("/").split("/")
        unit = "-".join(part for part in path if part not in _LEFT_OUT) or "Role"
        name = f"{self._stem}{unit}"
        if len(name) <= MAX_ROLE_NAME_LENGTH:
            return name
        digest = hashlib.sha256(name.encode()).hexdigest()[:8]
        return f"{name[: MAX_ROLE_NAME_LENGTH - 9]}-{digest}"
