"""The invoker's one structured logger (shared/json_log.py: the format every function of the stack writes).

Its level is the validated LOG_LEVEL of the settings, applied when the container starts
(invoker/container.py); until then it is INFO. It applies to this logger alone: the root logger is
never configured and botocore/urllib3 are held at WARNING, as botocore at DEBUG logs secret values.
"""

from __future__ import annotations

from scv_shared import constants
from scv_shared.json_log import Logger

logger = Logger(constants.INVOKER_SERVICE_NAME)
