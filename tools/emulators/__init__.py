"""Stand-ins for the services the functions and scvctl talk to: a Salesforce org, Secrets Manager (moto), the
Lambda secrets extension, Lambda's API (Invoke and the read calls) and Amazon Connect's (one instance).

All of them are real HTTP servers on 127.0.0.1, so code under test (in this process or in a Lambda
container process) reaches them exactly as it reaches AWS and Salesforce. The tests, ``make emulator``,
``make try`` and the benchmarks use them; their pytest fixtures are in ``tests.emulators.fixtures``.
"""
