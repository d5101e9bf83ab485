"""Run the app the way AWS would: synthesize with the real CDK CLI, then run each bundle from cdk.out
as a Lambda "container" (a fresh, isolated Python process that keeps its state between invocations).

Used by the tests (their fixtures are in ``tests.harness.fixtures``), ``make demo``, ``make try`` and the
benchmarks; nothing here imports tests/.
"""
