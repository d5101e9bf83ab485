"""Shared fixtures: the emulators (Salesforce, Secrets Manager, the secrets extension) and the harness
that synthesizes the app once and runs its bundles as Lambda containers."""

pytest_plugins = ["tests.emulators.fixtures", "tests.harness.fixtures"]
