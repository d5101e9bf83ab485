#!/usr/bin/env python3
"""The CDK app: one stack per contact center declared in contact_centers.yaml (cdk-nag checks every synth),
and the example deploy pipeline's roles where the config asks for them."""

import sys

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks
from scv_salesforce.config import ConfigError, load_from_context
from scv_salesforce.deploy_pipeline import DeployPipelineStack
from scv_salesforce.stack import ContactCenterStack

app = cdk.App()
try:
    config = load_from_context(app.node)
except ConfigError as error:  # the user's mistake: its message alone, no traceback
    sys.exit(str(error))
for contact_center in config.contact_centers:
    ContactCenterStack(
        app,
        contact_center.stack_name,
        contact_center=contact_center,
        env=cdk.Environment(account=contact_center.account, region=contact_center.region),
    )
if config.deploy_pipeline:
    DeployPipelineStack(
        app,
        config.deploy_pipeline.stack_name,
        pipeline=config.deploy_pipeline,
        env=cdk.Environment(account=config.deploy_pipeline.account, region=config.deploy_pipeline.region),
    )
cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
app.synth()
