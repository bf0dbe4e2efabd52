# The two commands a new user runs: `make quickstart` and `make test`.
# Both create .venv/ from the pinned versions in requirements.lock if it is missing.
# (The first set-up compiles llama-cpp-python: about 6 minutes on 2 cores; pip caches the wheel.)

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

export LITELLM_LOCAL_MODEL_COST_MAP := True
export HF_HUB_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1

.PHONY: setup quickstart test chromium lock schemas clean-venv

setup: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e ".[test]"
	@touch $(STAMP)

quickstart: setup
	$(VENV)/bin/harness run evals/quickstart.yaml

test: setup chromium
	$(VENV)/bin/python -m pytest

# The browser tests drive Debian's chromium through Playwright (its own browser download is never used).
chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

# Re-pin after changing dependencies in pyproject.toml.
lock: setup
	$(PY) -m pip freeze --exclude-editable --exclude support-eval-harness | grep -v '^-e ' > requirements.lock

schemas: setup
	$(PY) -m harness.schemas

clean-venv:
	rm -rf $(VENV)
