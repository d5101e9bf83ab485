"""Constants shared by the constructs (names that are part of the public contract live here)."""

import importlib.util
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def function_source_dir(package: str) -> Path:
    """The folder of one function package (``scv_invoker``, ``scv_shared``, ...) to bundle.

    lambda_src/ in a checkout; from an installed wheel, the folder its package was installed to. Found without
    importing it: the code is the Lambda runtime's, and one copy of it under one name is all a wheel carries.
    """
    checkout = PROJECT_ROOT / "lambda_src" / package
    if checkout.is_dir():
        return checkout
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise FileNotFoundError(f"the function package {package} is neither in {checkout.parent} nor installed")
    return Path(spec.origin).parent


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
    "sns:GetTopicAttributes",
)
#: what preflight also uses where it may, to list the secrets' JSON key names (the values never leave it)
PREFLIGHT_KEY_NAME_ACTIONS = ("secretsmanager:GetSecretValue", "kms:Decrypt")
