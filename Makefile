# Set-up is part of every target: a fresh machine needs only `make demo` or `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat constraints.txt pyproject.toml | sha256sum | cut -c1-12)

.PHONY: install demo test lint lint-ruff bench clean

$(STAMP): constraints.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

demo: install
	cd demo-run 2>/dev/null || mkdir -p demo-run
	cd demo-run && ../$(BIN)/dutyflow run --input ../samples/2026-08-党建报表.xlsx --period 2026-08
	cd demo-run && ../$(BIN)/dutyflow run --input ../samples/2026-09-党建报表.xlsx --period 2026-09
	cd demo-run && ../$(BIN)/dutyflow run --input ../samples/2026-10-党建报表.xlsx --period 2026-10
	cd demo-run && ../$(BIN)/dutyflow actions --period 2026-10

test: install
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint-ruff: install
	$(BIN)/ruff check dutyflow models rules flows tests

lint: install
	$(BIN)/ruff check dutyflow models rules flows tests
	$(BIN)/mypy

clean:
	rm -rf demo-run
