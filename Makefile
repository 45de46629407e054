.PHONY: install up down status test lint typecheck unit demo

# The sample tenant, live in the terminal: services, a worker, config, a generated tenant.
demo:
	scripts/demo

install:
	scripts/install

up:
	scripts/services up --registry

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
