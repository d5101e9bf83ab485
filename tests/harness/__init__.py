"""The pytest fixtures over tools/harness (one synth per session, containers per test) and its tests."""
