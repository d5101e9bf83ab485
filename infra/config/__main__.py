"""`python -m scv_salesforce.config stack-name|names|check`: the Makefile's and the deploy workflow's entry."""

import json
import sys

from .loading import load_config
from .types import ConfigError


def main() -> None:
    """`stack-name <cc>`: for `make deploy`; `names`: a JSON list, the deploy workflow's matrix; `check [FILE]`:
    validate before `cdk synth`, whose CLI appends its own error line (this prints the message alone)."""
    try:
        if sys.argv[1:2] == ["names"] and len(sys.argv) == 2:
            print(json.dumps([contact_center.name for contact_center in load_config().contact_centers]))
        elif sys.argv[1:2] == ["stack-name"] and len(sys.argv) == 3:
            print(load_config().find(sys.argv[2]).stack_name)
        elif sys.argv[1:2] == ["check"] and len(sys.argv) in (2, 3):
            load_config(*sys.argv[2:])
        else:
            sys.exit("usage: python -m scv_salesforce.config stack-name <contact-center> | names | check [CONFIG_FILE]")
    except ConfigError as error:
        sys.exit(str(error))


main()
