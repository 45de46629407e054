.PHONY: install up down status test lint typecheck unit demo chaos

# The sample tenant, live in the terminal: services, a worker, config, a generated tenant.
demo:
	scripts/demo

install:
	scripts/install

up:
	scripts/services up --registry --secure

down:
	scripts/services down

status:
	scripts/services status

# The project's one test command: installs, starts Kafka, Redis and the schema registry,
# runs ruff, mypy --strict and the whole test suite, then stops the services.
test:
	scripts/test

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

typecheck:
	.venv/bin/mypy

unit:
	.venv/bin/pytest tests/unit -q

# The benchmark (bench/README.md): services up, then one run of about 25 minutes; the report is
# written to bench/results/ (report.md, report.png, results.json, the profile).
.PHONY: bench
bench:
	scripts/install
	scripts/install-bench-peer
	python3 scripts/services.py up
	.venv/bin/python -m bench.run --size small

# Only the kill -9 and takeover tests against the reference model, which `make test` also runs
# (services must be up: make up).
chaos:
	.venv/bin/pytest -m chaos -p no:cacheprovider tests/integration
