"""CDK constructs: one logical unit per module, composed by infra/stack.py."""
