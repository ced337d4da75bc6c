# The two commands: `make run` (the service locally) and `make test` (the suite). Both set up the
# virtualenv on a fresh machine first.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt requirements-checkov.txt | sha256sum | cut -c1-12)

.PHONY: run reset due tick test bench clean

# checkov gets a virtualenv of its own inside .venv: it pins a botocore other than the tested one.
$(STAMP): requirements.txt requirements-dev.txt requirements-checkov.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements-dev.txt
	$(PYTHON) -m venv $(VENV)/checkov
	$(VENV)/checkov/bin/pip install -q --disable-pip-version-check -r requirements-checkov.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

# The data (DynamoDB Local's file, S3 objects, the KMS key) stays in $${PAPERCLIP_DATA_DIR:-.data}
# between runs; `make reset` deletes it. `make due` / `make tick` show the due schedule triggers and
# fire a tick now, against the running `make run`.
run: $(STAMP)
	$(VENV)/bin/python -m infra.local.run

reset: $(STAMP)
	$(VENV)/bin/python -m infra.local.run --reset-only

WITHIN ?= 60
due: $(STAMP)
	$(VENV)/bin/python -m infra.local.scheduler_cli due --within $(WITHIN)

tick: $(STAMP)
	$(VENV)/bin/python -m infra.local.scheduler_cli tick

test: $(STAMP)
	$(VENV)/bin/python -m pytest -q -n 2

# SPEC §8 benchmarks, each also runnable alone (`.venv/bin/python -m bench.latency`); see bench/RESULTS.md.
bench: $(STAMP)
	$(VENV)/bin/python -m bench.requests_per_endpoint
	$(VENV)/bin/python -m bench.latency
	$(VENV)/bin/python -m bench.cold_start
	@if [ -f bench/scheduler.py ]; then $(VENV)/bin/python -m bench.scheduler; fi
	$(VENV)/bin/python -m bench.routines_at_scale

clean:
	rm -rf $(VENV) .pytest_cache  # keeps .data/ (your local data) and .cache/ (DynamoDB Local)

# Deployment (docs/deploy.md): `make infra` regenerates infra/cloudformation/resources.json from the
# models; `make deploy STAGE=dev|prod ARTIFACTS_BUCKET=...` packages and deploys one stage.
.PHONY: infra deploy
infra: $(STAMP)
	$(VENV)/bin/python -m infra.generate

deploy: $(STAMP)
	STAGE=$(STAGE) ARTIFACTS_BUCKET=$(ARTIFACTS_BUCKET) bash infra/deploy.sh
