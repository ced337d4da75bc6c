# The two commands: `make run` (the service locally) and `make test` (the suite). Both set up the
# virtualenv on a fresh machine first.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-12)

.PHONY: run test clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/python -m infra.local.run

test: $(STAMP)
	$(VENV)/bin/python -m pytest -q -n 2

clean:
	rm -rf $(VENV) .pytest_cache

# Deployment (docs/deploy.md): `make infra` regenerates infra/cloudformation/resources.json from the
# models; `make deploy STAGE=dev|prod ARTIFACTS_BUCKET=...` packages and deploys one stage.
.PHONY: infra deploy
infra: $(STAMP)
	$(VENV)/bin/python -m infra.generate

deploy: $(STAMP)
	STAGE=$(STAGE) ARTIFACTS_BUCKET=$(ARTIFACTS_BUCKET) bash infra/deploy.sh
