"""One module per command group. Each ``register(commands, common)`` adds its parsers; every leaf parser
sets ``handler`` to a function ``(args, runtime) -> exit status``."""
