"""scvctl: the operator CLI for every manual step of the Service Cloud Voice setup guide."""
