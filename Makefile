# Two commands on a fresh machine: `make demo` and `make test`.
# Each creates .venv with python3 -m venv when missing and installs the project (editable, with the
# test extras) into it, then compiles every numba kernel into numba's cache (ganet warmup); the
# install is redone whenever pyproject.toml changes.
PYTHON3 ?= python3
VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
PYTEST  := $(PY) -m pytest -q -p no:cacheprovider

.PHONY: demo test test-slow bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON3) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e ".[test]"
	$(PY) -m ganet warmup  # numba's cache filled once here, not in a user's first fit
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m ganet demo

# The whole suite (slow cases excluded), the tutorials, and the GA kernels once more with the JIT
# disabled, so the pure-Python path of every numba kernel is exercised too.
test: $(STAMP)
	$(PYTEST) -n 2 tests
	NUMBA_DISABLE_JIT=1 $(PYTEST) tests/test_numeric_ga.py
	$(PYTEST) --nbmake tutorials

test-slow: $(STAMP)
	$(PYTEST) -m slow tests

bench: $(STAMP)
	for f in benchmarks/*.py; do $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
