"""Runtime of ``${cc}-InvokeSalesforceRestApiFunction``: Amazon Connect → Salesforce REST API.

Handler ``invoker.handler.lambda_handler``. Modules point one way:
handler → request/methods → salesforce → auth → secrets_cache → transport (settings, errors, stats, log
are leaves). See docs/INVOKER.md for methods, outputs and errors.
"""
