"""Code bundled into every function of the stack (and used by scvctl): the contracts they all share."""
