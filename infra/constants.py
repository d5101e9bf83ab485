"""Constants shared by the constructs (names that are part of the public contract live here)."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The functions' sources: lambda_src/ of this checkout, or the copy an installed wheel carries inside the
# package (pyproject.toml maps lambda_src/ to scv_salesforce/lambda_src/), so bundling works from either.
_PACKAGED_LAMBDA_SOURCE_DIR = Path(__file__).resolve().parent / "lambda_src"
LAMBDA_SOURCE_DIR = _PACKAGED_LAMBDA_SOURCE_DIR if _PACKAGED_LAMBDA_SOURCE_DIR.is_dir() else PROJECT_ROOT / "lambda_src"

DEFAULT_API_VERSION = "68.0"  # Winter '27
FUNCTION_NAME_SUFFIX = "-InvokeSalesforceRestApiFunction"
#: the alias SCV's stacks publish their function under (AutoPublishAlias), which Connect and SCV's functions call
SCV_FUNCTION_ALIAS = "active"
#: our function's default name in mode beside, where SCV's function already has the name above
BESIDE_FUNCTION_NAME_SUFFIX = "-SalesforceRestApiFunction"
MAX_FUNCTION_NAME_LENGTH = 64

PYTHON_VERSION = "3.13"  # the Lambda runtime, and the --python-version the bundles are built for
CONNECT_TIME_LIMIT_SECONDS = 8  # Amazon Connect waits at most 8 s for a Lambda
INVOKER_TIMEOUT_SECONDS = 8
SEEDER_TIMEOUT_SECONDS = 60

#: what `scvctl preflight` reads of an account (describe and list calls: no secret value, no write); the example
#: deploy pipeline's deploy role holds exactly these, since `make deploy` runs preflight first
PREFLIGHT_READ_ACTIONS = (
    "cloudformation:DescribeStacks",
    "lambda:GetFunction",
    "lambda:ListAliases",
    "secretsmanager:DescribeSecret",
    "kms:DescribeKey",
    "logs:DescribeLogGroups",
    "logs:ListTagsLogGroup",
    "connect:ListLambdaFunctions",
)
#: what preflight also uses where it may, to list the secrets' JSON key names (the values never leave it)
PREFLIGHT_KEY_NAME_ACTIONS = ("secretsmanager:GetSecretValue", "kms:Decrypt")
