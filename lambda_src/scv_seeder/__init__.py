"""The seeder: key pair, certificate and secret values of a contact center (also used by scvctl)."""
