# Two commands on a fresh machine (Python 3.11+, Node 20+ (22+ for the Salesforce CLI), make):
#   make synth   installs everything (.venv, the pinned CDK CLI) and synthesizes every contact center
#   make test    runs every test (what CI runs)
SHELL := /bin/bash
PYTHON ?= python3
NODE ?= node
VENV := .venv
BIN := $(VENV)/bin
CDK := npx --no-install cdk
SCVCTL ?= $(BIN)/scvctl
CDK_OUT ?= cdk.out
# pip shows what it installs (and its download progress bars on a terminal); CI logs only the errors.
PIP_INSTALL := $(BIN)/pip install --disable-pip-version-check $(if $(CI),--quiet,--progress-bar on)
NODE_MAJOR := $(shell $(NODE) -p "process.versions.node.split('.')[0]" 2>/dev/null)
# jsii silences its end-of-life banner only for the Node major versions listed here ("1" silences nothing).
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := $(NODE_MAJOR)
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export CDK_DISABLE_VERSION_CHECK := 1

# The contact center a command is for: CONTACT_CENTER=<name from contact_centers.yaml>. `CC=<name>` on make's
# command line is read too (what earlier versions documented), but only there: CC is make's built-in name for the
# C compiler (default `cc`) and many shells export it, so neither of those is ever taken for a contact center.
CONTACT_CENTER ?= $(if $(filter command line,$(origin CC)),$(CC))

.PHONY: install node-version contact-center-named synth test deploy diff demo try emulator bench lint lock audit clean release-fixture

# The CDK CLI and jsii need Node 20+; the Salesforce CLI (sf, to deploy the External Client App bundle) needs 22+.
node-version:
	@test -n "$(NODE_MAJOR)" || { echo "make: Node.js not found ($(NODE)): install Node.js 22 or later (20 is the minimum for synth and tests)" >&2; exit 1; }
	@test "$(NODE_MAJOR)" -ge 20 || { echo "make: Node.js $(NODE_MAJOR) is too old: the CDK CLI needs Node.js 20 or later, the Salesforce CLI 22 or later" >&2; exit 1; }
	@test "$(NODE_MAJOR)" -ge 22 || echo "note: Node.js $(NODE_MAJOR) runs synth and the tests; the Salesforce CLI (sf, for scvctl salesforce-metadata bundles) needs Node.js 22 or later" >&2

# Every Python package is installed from a hash-locked file (make lock): pip refuses any file whose hash is not
# in the lock, and this project is built with the locked setuptools (no build isolation, which would fetch an
# unpinned one).
$(BIN)/activate: requirements.txt pyproject.toml
	@echo "==> [1/3] Python packages into $(VENV) (first run: a few minutes)"
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) --require-hashes -r requirements.txt
	$(PIP_INSTALL) --no-deps --no-build-isolation -e .
	touch $(BIN)/activate

node_modules/.package-lock.json: package.json package-lock.json | node-version
	@echo "==> [2/3] the pinned CDK CLI into node_modules (npm ci)"
	npm ci --no-fund --no-audit --loglevel=error

# checkov has its own venv: it pins boto3 and packaging versions the dev set cannot share
CHECKOV_VENV := build/checkov-venv
$(CHECKOV_VENV)/bin/checkov: requirements-checkov.txt
	@echo "==> checkov, for the tests' template checks, into $(CHECKOV_VENV) (its own venv; first run: a few minutes)"
	test -d $(CHECKOV_VENV) || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --disable-pip-version-check --require-hashes -r requirements-checkov.txt
	touch $@

# What synth, diff and deploy need; the tests' own tools (checkov) only where tests run, never in a deploy job.
install: node-version $(BIN)/activate node_modules/.package-lock.json

# A config mistake stops synth and diff with its one-line message (the CDK CLI would add a line of its own). The file
# checked is the one cdk synth reads: cdk.json's context "config", relative to this folder.
CONFIG_FILE = $(shell $(PYTHON) -c 'import json; print(json.load(open("cdk.json"))["context"]["config"])')
synth: install
	@echo "==> [3/3] cdk synth of every contact center in the config (first run: bundles the Lambda code), cdk-nag checks"
	@$(BIN)/python -m scv_salesforce.config check "$(CONFIG_FILE)"
	$(CDK) synth --quiet --output $(CDK_OUT)
	@$(BIN)/python -m tools.harness.synth list $(CDK_OUT)

test: install $(CHECKOV_VENV)/bin/checkov
	$(BIN)/python -m pytest -n 2 --dist loadgroup

# deploy and diff act on one named contact center: without a name they stop here, before installing or calling AWS.
contact-center-named:
	@test -n "$(CONTACT_CENTER)" || { echo "usage: make $(MAKECMDGOALS) CONTACT_CENTER=<contact-center name from contact_centers.yaml>" >&2; exit 2; }

# preflight reads the account first (read only) and stops the deploy when the config would collide with what is
# there (exit 1: the conflicts and their fixes are listed) or the account cannot be read (exit 2).
deploy: contact-center-named install
	$(SCVCTL) preflight "$(CONTACT_CENTER)"
	$(CDK) deploy $(CDK_ARGS) "$$($(BIN)/python -m scv_salesforce.config stack-name "$(CONTACT_CENTER)")"

diff: contact-center-named install
	@$(BIN)/python -m scv_salesforce.config check "$(CONFIG_FILE)"
	$(CDK) diff $(CDK_ARGS) "$$($(BIN)/python -m scv_salesforce.config stack-name "$(CONTACT_CENTER)")"

# The whole flow on this machine for the first contact center in the config, or CONTACT_CENTER=<name>.
demo: synth
	$(BIN)/python -m tools.demo $(CONTACT_CENTER)

# Every scvctl command against stand-ins of AWS and Salesforce, in a shell (`exit` stops them); the contact
# center as for demo.
try: synth
	$(BIN)/python -m tools.try_scvctl $(CONTACT_CENTER)

emulator: install
	$(BIN)/python -m tools.emulators.salesforce $(ARGS)

bench: synth
	$(BIN)/python -m benchmarks.run

# every pinned requirements file against known vulnerabilities; says NOT CHECKED (exit 2) when it cannot tell
audit: install
	$(BIN)/python -m tools.audit

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Every *.in compiled into its *.txt with each transitive pin and the sha256 of every file PyPI has for it (uv,
# itself hash-locked). A pin already in a .txt is kept unless its .in changes (uv prefers the existing versions).
# The Lambda bundles resolve for the runtime: CPython 3.13 on manylinux x86_64.
LOCK_VENV := build/lock-venv
UV_COMPILE := $(LOCK_VENV)/bin/uv pip compile --quiet --generate-hashes --custom-compile-command "make lock"
lock:
	test -d $(LOCK_VENV) || $(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet --disable-pip-version-check --require-hashes -r requirements-lock.txt
	for name in requirements requirements-checkov requirements-lock; do \
	  $(UV_COMPILE) --universal --python-version 3.11 "$$name.in" -o "$$name.txt" || exit 1; done
	for in in lambda_src/*/requirements.in; do \
	  $(UV_COMPILE) --python-version 3.13 --python-platform x86_64-manylinux_2_17 "$$in" -o "$${in%.in}.txt" || exit 1; done

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
