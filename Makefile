# The two commands of the README's quickstart: `make run` and `make test`.
# Each installs what it needs (a .venv with a Python >= 3.12 found on this machine).
.PHONY: run test test-unit lint venv

ARGS ?=

venv:
	@scripts/bootstrap

run: venv
	.venv/bin/acrproxy run $(ARGS)

lint: venv
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy acrproxy addons

test: lint
	@scripts/test-deps
	.venv/bin/python -m pytest $(ARGS)

test-unit: venv
	.venv/bin/python -m pytest -m "not e2e" $(ARGS)
