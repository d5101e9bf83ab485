"""The further Salesforce orgs of a contact center, as the stack hands them to the invoker.

The contract between infra/invoker.py (which writes it) and the invoker's settings (which read it): one
environment variable holding a JSON list, one object per further org with its name, its endpoints (from
the config, never derived from the audience) and its two secrets' ids. The contact center's own org keeps
its own variables (SALESFORCE_REST_API_ENDPOINT_BASE, ...), so a stack without further orgs is unchanged.
"""

from __future__ import annotations

#: the name the invoker, its log lines, metrics and the dashboard give the contact center's own org
DEFAULT_ORG = "default"

#: environment variable: a JSON list of objects with the keys below (callCenterApiName optional)
ORGS_ENV = "SALESFORCE_ORGS"
NAME_KEY = "name"
REST_API_ENDPOINT_BASE_KEY = "restApiEndpointBase"
AUTH_ENDPOINT_KEY = "authEndpoint"
SECRET_ID_KEY = "secretId"  # noqa: S105 - JSON key names, not secrets
ACCESS_SECRET_ID_KEY = "accessSecretId"  # noqa: S105
CALL_CENTER_API_NAME_KEY = "callCenterApiName"

#: the parameters (or contact attributes) that pick the org of one call, as in Salesforce's function;
#: they address the org and are never sent as record fields
SECRET_NAME_PARAMETER = "secretName"  # noqa: S105 - parameter names, not secrets
ACCESS_TOKEN_SECRET_NAME_PARAMETER = "accessTokenSecretName"  # noqa: S105
ORG_SELECTION_PARAMETERS = (SECRET_NAME_PARAMETER, ACCESS_TOKEN_SECRET_NAME_PARAMETER)

#: environment variable: "false" when contact attributes may not pick the org (config
#: ``org_from_contact_attributes``); anything else, or unset, keeps Salesforce's behaviour (they may)
ORG_FROM_CONTACT_ATTRIBUTES_ENV = "SALESFORCE_ORG_FROM_CONTACT_ATTRIBUTES"
