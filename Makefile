# Two commands on a fresh machine (Python 3.11+, Node 20+, make):
#   make synth   installs everything (.venv, the pinned CDK CLI) and synthesizes the example contact center
#   make test    runs every test (what CI runs)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CDK := npx --no-install cdk
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 1
export CDK_DISABLE_VERSION_CHECK := 1

.PHONY: install synth test deploy diff demo emulator bench lint lock clean release-fixture

$(BIN)/activate: requirements.txt pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(BIN)/activate

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-fund --no-audit --loglevel=error

install: $(BIN)/activate node_modules/.package-lock.json

synth: install
	$(CDK) synth --quiet
	@echo "Synthesized: $$(ls cdk.out/*.template.json)"

test: install
	$(BIN)/python -m pytest -n 2 --dist loadgroup

deploy: install
	@test -n "$(CC)" || { echo "usage: make deploy CC=<contact-center name from contact_centers.yaml>"; exit 2; }
	$(CDK) deploy $(CDK_ARGS) "$$($(BIN)/python -m infra.config stack-name $(CC))"

diff: install
	@test -n "$(CC)" || { echo "usage: make diff CC=<contact-center name>"; exit 2; }
	$(CDK) diff $(CDK_ARGS) "$$($(BIN)/python -m infra.config stack-name $(CC))"

demo: synth
	$(BIN)/python -m tests.e2e.demo

emulator: install
	$(BIN)/python -m tests.emulators.salesforce $(ARGS)

bench: synth
	$(BIN)/python -m benchmarks.run

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

lock:
	rm -rf build/lock-venv && $(PYTHON) -m venv build/lock-venv
	build/lock-venv/bin/pip install --quiet -r requirements.in
	(echo "# Generated from requirements.in by 'make lock' (pip freeze of a clean venv). Do not edit by hand."; \
	 build/lock-venv/bin/pip freeze --exclude-editable | grep -v '^pip==') > requirements.txt

# On release: keep what this release synthesizes as the fixture the upgrade-safety test compares against.
release-fixture: synth
	rm -f tests/infra/previous_release/*.template.json
	cp contact_centers.yaml tests/infra/previous_release/contact_centers.yaml
	$(BIN)/python -c 'import json; m = json.load(open("cdk.out/manifest.json")); \
	  print("\n".join(a["properties"]["templateFile"] for a in m["artifacts"].values() if a["type"] == "aws:cloudformation:stack"))' \
	  | while read -r template; do cp "cdk.out/$$template" tests/infra/previous_release/; done
	@echo "Refreshed tests/infra/previous_release/ (update its README's 'Taken from' line)"

clean:
	rm -rf cdk.out build
