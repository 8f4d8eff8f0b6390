# The two commands a new user runs: `make dev` and `make test`. Each installs what it needs.
PYTHON ?= python3
UV := $(PYTHON) -m uv
RUN := $(UV) run --frozen
SAM := SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=us-east-1 $(UV) tool run --from aws-sam-cli==1.170.0 sam

# The example workflows' task functions, run in-process by the local stack.
EXAMPLE_FUNCTIONS := reserve-stock=examples.tasks:reserve_stock charge-card=examples.tasks:charge_card \
	release-stock=examples.tasks:release_stock get-profile=examples.tasks:get_profile \
	list-orders=examples.tasks:list_orders credit-score=examples.tasks:credit_score \
	resize-image=examples.tasks:resize_image

.PHONY: dev test lint validate unit conformance sync tools soak bench bench-cost bench-speed bench-pause bench-waits bench-recovery bench-query bench-cold bench-memory bench-index bench-scale bench-distributed \
	console console-test browser screenshots bench-console

tools:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv

sync: tools
	@$(UV) sync --frozen --quiet

# The console's libraries come from the npm registry, pinned in console/package-lock.json;
# the bundle lands in the package (layers/segue/segue/console/dist), never in git.
console/node_modules/.package-lock.json: console/package-lock.json
	cd console && npm ci --no-audit --no-fund --loglevel=error

console: console/node_modules/.package-lock.json
	cd console && npm run --silent build

console-test: console/node_modules/.package-lock.json
	cd console && node --test test/

# Browser tests drive Debian's chromium; installed here when it is missing.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

dev: sync console
	$(RUN) segue dev --functions $(EXAMPLE_FUNCTIONS)

lint: sync
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy

# The template: SAM's own lint, cfn-lint, and checkov's security checks (each suppression
# is written next to its resource, with its reason).
CHECKOV := $(UV) tool run --from checkov==3.3.30 checkov

validate: sync
	@for f in statemachine/*.asl.json; do $(RUN) segue validate "$$f" || exit 1; done
	$(SAM) validate --lint
	$(RUN) cfn-lint template.yaml
	$(CHECKOV) --file template.yaml --framework cloudformation --compact --quiet --skip-download

unit: sync
	$(RUN) pytest tests/unit

conformance: sync
	$(RUN) pytest tests/conformance

# SEGUE_UV: how the tests reach uv (the SAM CLI's translator runs in uv's tool environment).
test: lint validate console console-test browser
	SEGUE_UV="$$(command -v $(PYTHON)) -m uv" $(RUN) pytest -n 2 --dist loadgroup tests

# Many more generated examples than `make test` runs.
soak: sync
	HYPOTHESIS_PROFILE=soak $(RUN) pytest tests/unit -k property
	SEGUE_MODEL_EXAMPLES=500 SEGUE_MODEL_STEPS=60 $(RUN) pytest -s tests/functional/test_recovery_model.py

# Cost and speed (not part of `make test`: these machines are noisy).
bench: sync console browser
	$(RUN) python -m bench.cost --executions 20
	$(RUN) python -m bench.speed --runs 30 --burst 200
	$(RUN) python -m bench.console --runs 10
	$(RUN) python -m bench.pause --runs 200
	$(RUN) python -m bench.waits --runs 200 --timers 200
	$(RUN) python -m bench.recovery --runs 30 --lease 3 --sweep 1
	$(RUN) python -m bench.query_languages --runs 2000
	$(RUN) python -m bench.cold_start --runs 7
	$(RUN) python -m bench.memory --megabytes 10
	$(RUN) python -m bench.index --sizes 1000 10000 100000
	$(RUN) python -m bench.scale --executions 10000
	$(RUN) python -m bench.distributed --items 10000

# A state's data handling in JSONPath and in JSONata, in the pure interpreter.
bench-query: sync
	$(RUN) python -m bench.query_languages --runs 2000

# The console with many executions and a big one: time to first row and to a drawn graph.
bench-console: sync console browser
	$(RUN) python -m bench.console --runs 10

# The README's console screenshots, from a real run of the example workflows.
screenshots: sync console browser
	$(RUN) python -m docs.screenshots

# Each function handler's import time: the part of a Lambda cold start that is segue's.
bench-cold: sync
	$(RUN) python -m bench.cold_start --runs 7

# Listing and sweeping with 1k, 10k and 100k executions stored: items read, and time.
bench-index: sync
	$(RUN) python -m bench.index --sizes 1000 10000 100000

# 10,000 executions on the local stack: waiting, ended, paused; a burst; auto-resume.
bench-scale: sync
	$(RUN) python -m bench.scale --executions 10000

bench-distributed: sync
	$(RUN) python -m bench.distributed --items 10000

# A worker's peak memory while it carries a 10 MB state, on the local stack.
bench-memory: sync
	$(RUN) python -m bench.memory --megabytes 10

# Dollars per million state transitions at AWS list prices, counted call by call.
bench-cost: sync
	$(RUN) python -m bench.cost --executions 20

# A ten-state Pass chain on the local stack next to moto's Step Functions, and saturation.
bench-speed: sync
	$(RUN) python -m bench.speed --runs 30 --burst 200

# Pause and resume latency alone, on the local stack.
bench-pause: sync
	$(RUN) python -m bench.pause --runs 200

# Approval, event and timer latency alone, on the local stack.
bench-waits: sync
	$(RUN) python -m bench.waits --runs 200 --timers 200

# Recovery after a worker is killed mid-task (scaled: 3 s lease, a sweep every second).
bench-recovery: sync
	$(RUN) python -m bench.recovery --runs 30 --lease 3 --sweep 1
