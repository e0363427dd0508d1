# The two commands: `make run` and `make test`. Both create .venv and install what they need, at the
# exact versions (and hashes) of requirements-dev.lock; the image installs requirements.lock.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
LOCK_VENV := .venv-lock
PIP_COMPILE := $(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras --no-emit-find-links \
	--no-emit-index-url

.PHONY: run test pytest lint typecheck kb-check bench lock clean

$(STAMP): requirements-dev.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

run: $(STAMP)
	$(PY) -m bot

lint: $(STAMP)
	$(PY) -m ruff check bot cogs sandbox tests benchmarks

typecheck: $(STAMP)
	$(PY) -m mypy bot cogs sandbox

kb-check: $(STAMP)
	$(PY) -m bot kb check

# The checks and the tests side by side (`-j`), the tests on half again as many workers as cores
# (pytest-xdist, work stolen from a busy worker by an idle one): a third of the suite's time is spent
# waiting on bot processes, the stand-in's latency and PostgreSQL, not computing. Measured on 2 cores:
# 2 workers 4 min 35 s, 3 workers 3 min 53 s. A single test or folder runs alone with
# `$(PY) -m pytest path`.
TEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print(max(2, (os.cpu_count() or 2) * 3 // 2))')

test: $(STAMP)
	@$(MAKE) --no-print-directory -j4 lint typecheck kb-check pytest

pytest: $(STAMP)
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist worksteal

bench: $(STAMP)
	@for b in benchmarks/[!_]*.py; do $(PY) $$b || exit 1; done

# Refresh both lock files from pyproject.toml's ranges (pip-tools, in a venv of its own); the dev
# lock is constrained by the runtime one, so the image and `make` run the same versions.
lock:
	@test -x $(LOCK_VENV)/bin/pip-compile || { $(PYTHON) -m venv $(LOCK_VENV) && \
		$(LOCK_VENV)/bin/pip install --quiet 'pip-tools>=7.4,<8'; }
	$(PIP_COMPILE) --upgrade --extra postgres --output-file requirements.lock pyproject.toml
	$(PIP_COMPILE) --upgrade --extra postgres --extra sandbox --extra dev --constraint requirements.lock \
		--output-file requirements-dev.lock pyproject.toml

clean:
	rm -rf $(VENV) $(LOCK_VENV) .mypy_cache .ruff_cache .pytest_cache
