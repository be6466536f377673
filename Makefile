# The README's two commands: `make demo` and `make test`. Both create .venv on first use.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
STAMP := $(VENV)/.callqa-installed

.PHONY: demo test samples bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# the CPU build of PyTorch first, so that nothing pulls the multi-gigabyte CUDA build
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/callqa run data/samples --out out/demo

test: $(STAMP)
	$(PY) -m pytest -q

# Regenerate the labelled sample calls (needs Debian's festival and its voices: see README).
samples: $(STAMP)
	$(PY) tools/make_calls.py data/scripts/*.yaml --out data/samples --manifest data/samples/manifest.csv

bench: $(STAMP)
	$(PY) benchmarks/bench_asr.py

clean:
	rm -rf out .pytest_cache
