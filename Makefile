# Two commands for a fresh machine with Python 3.11: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= out

.PHONY: demo test lint install test-deps bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

demo: install
	@./scripts/apertium-deps.sh --optional
	$(BIN)/highlights run samples/ -o $(OUT)/
	@echo "Open $(abspath $(OUT))/index.html"

test-deps: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	./scripts/system-deps.sh

# Lint (ruff: pyflakes, pycodestyle, import order, bugbear, pyupgrade) and types (mypy), then the tests.
lint: test-deps
	$(BIN)/ruff check .
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: test-deps
	$(BIN)/pip install --quiet -e ".[bench]"
	cd benchmarks && ../$(BIN)/python pipeline.py --wer && ../$(BIN)/python scenes.py \
	  && ../$(BIN)/python clips.py && ../$(BIN)/python subtitles.py && ../$(BIN)/python memory.py \
	  && ../$(BIN)/python mentions_eval.py report

clean:
	rm -rf $(OUT) build dist *.egg-info test-output
