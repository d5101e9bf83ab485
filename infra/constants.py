"""Constants shared by the constructs (names that are part of the public contract live here)."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LAMBDA_SOURCE_DIR = PROJECT_ROOT / "lambda_src"

DEFAULT_API_VERSION = "68.0"  # Winter '27
FUNCTION_NAME_SUFFIX = "-InvokeSalesforceRestApiFunction"
MAX_FUNCTION_NAME_LENGTH = 64

PYTHON_VERSION = "3.13"  # the Lambda runtime, and the --python-version the bundles are built for
CONNECT_TIME_LIMIT_SECONDS = 8  # Amazon Connect waits at most 8 s for a Lambda
INVOKER_TIMEOUT_SECONDS = 8
SEEDER_TIMEOUT_SECONDS = 60
