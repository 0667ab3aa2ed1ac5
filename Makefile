# Quick start: `make run` starts the app, `make test` runs every test.
# Both create ./.venv on first use and install the pinned-by-lower-bound requirements into it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run classroom test oracles lint bench catalogs clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

# MALLOC_ARENA_MAX=2: with ui/memory.py's periodic malloc_trim, memory goes back near its baseline after a
# class (README, "Teaching with it").
run: $(STAMP)
	MALLOC_ARENA_MAX=2 $(BIN)/streamlit run app.py

# Two replicas behind nginx on port 8501 (needs nginx: apt-get install -y nginx).
classroom: $(STAMP)
	deploy/run_replicas.sh -n 2 --proxy 8501

test: $(STAMP)
	$(BIN)/python -m pytest

# The reference implementations (torch.optim, optax) the exactness tests compare against; without them those
# tests skip. CI installs them (.ci/run).
oracles: $(STAMP) requirements-oracles.txt
	$(BIN)/python -m pip install --quiet -r requirements-oracles.txt

# The translations: extract the messages (pybabel extract), merge them into i18n/locale/zh/LC_MESSAGES/*.po and
# compile the .mo files the app reads (i18n/catalogs.py). Run after changing any text the app shows.
catalogs: $(STAMP)
	$(BIN)/python -m i18n.catalogs

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(STAMP)
	for f in benchmarks/bench_*.py; do $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis artifacts
