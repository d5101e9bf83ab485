"""Run the app the way AWS would: synthesize with the real CDK CLI, then run each bundle from cdk.out
as a Lambda "container" (a fresh, isolated Python process that keeps its state between invocations)."""
