"""Runtime of ``${cc}-InvokeSalesforceRestApiFunction``: Amazon Connect → Salesforce REST API.

Handler ``scv_invoker.handler.lambda_handler``. Modules point one way:
handler → request/methods → salesforce → auth → secrets_cache → secrets_extension / secrets_sdk →
secrets_retry / secrets_api → aws_sigv4 and transport (settings, errors, stats, log and ttl_cache are leaves;
everything may import the shared contract package). See docs/INVOKER.md for methods, outputs and errors.
"""
