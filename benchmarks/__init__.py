"""`make bench`: figures of the shipped invoker against its goals, written to benchmarks/RESULTS.md.

Not tests: pytest only collects tests/ (pytest.ini), and nothing here asserts on time. Everything runs on
loopback against moto and the Salesforce emulator, with the bundles from cdk.out (see benchmarks/run.py).
"""
