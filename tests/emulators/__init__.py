"""Tests of the stand-ins in tools/emulators, the pytest plugin that starts them, and a Service Cloud Voice
account laid out in moto (scv_account) for the brownfield tests."""
