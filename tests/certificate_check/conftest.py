"""The certificate check reads what the seeder publishes: its tests seed a stack with the seeder's fixtures."""

from tests.seeder.conftest import aws_env, seeder, seeder_source_dir, stack  # noqa: F401 - fixtures used here
