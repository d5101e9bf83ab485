"""The shared contract package is plain Python: imported from lambda_src, as the functions import it."""

import sys
from pathlib import Path

LAMBDA_SRC = Path(__file__).resolve().parents[2] / "lambda_src"
if str(LAMBDA_SRC) not in sys.path:
    sys.path.insert(0, str(LAMBDA_SRC))
