# Set-up is part of every target: a fresh machine needs only `make demo` or `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat constraints.txt pyproject.toml | sha256sum | cut -c1-12)

.PHONY: install demo test lint bench bench-desk clean

$(STAMP): constraints.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

DEMO_MONTHS := 2026-08 2026-09 2026-10

# Three months as an office runs them: the cycle, the office approves what it may decide
# alone and issues it (proposals wait for the committee), then the next month.
demo: install
	mkdir -p demo-run
	cd demo-run && for month in $(DEMO_MONTHS); do \
	  ../$(BIN)/dutyflow run --input ../samples/$$month-党建报表.xlsx --period $$month || exit $$?; \
	  if [ $$month != 2026-10 ]; then \
	    ../$(BIN)/dutyflow review --all-office $$month --approve --reviewer 张主任 >/dev/null || exit $$?; \
	    ../$(BIN)/dutyflow issue --period $$month >/dev/null 2>&1 || exit $$?; \
	  fi; \
	done
	cd demo-run && ../$(BIN)/dutyflow actions --period 2026-10

test: install
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: install
	$(BIN)/ruff check dutyflow models rules flows tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/mypy bench

# The review desk's pages at 5,000 cases (seconds; prints median and p95 per page)
bench-desk: install
	$(BIN)/python -m bench.desk --cases $${CASES:-5000}

# The province-scale benchmark (minutes; prints the per-stage table, writes bench-results.json)
bench: install
	$(BIN)/python -m bench --orgs $${ORGS:-20000} --json-out bench-results.json

clean:
	rm -rf demo-run
