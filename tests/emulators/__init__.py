"""Test doubles shared by every test: a Salesforce org, Secrets Manager (moto) and the Lambda secrets extension.

All of them are real HTTP servers on 127.0.0.1, so code under test (in this process or in a Lambda
container process) reaches them exactly as it reaches AWS and Salesforce. The pytest fixtures are in
``tests.emulators.fixtures``.
"""
