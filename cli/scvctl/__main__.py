"""``python -m scvctl``: the same as the ``scvctl`` console script."""

import sys

from scvctl.main import main

sys.exit(main())
