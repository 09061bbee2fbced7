# Set-up is part of every target: a fresh machine needs only `make demo` or `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat constraints.txt pyproject.toml | sha256sum | cut -c1-12)

.PHONY: install demo test lint bench bench-big bench-desk bench-portal bench-scale clean

$(STAMP): constraints.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

# Four months as an office runs them, dated as they happened: the cycle on the 2nd, the office
# approves what it may decide alone (proposals wait for the committee) and issues it on the
# 9th; answers that do not come are chased (催办) at the next cycle, then escalated. The last
# month is left for review (the README's walk-through starts there). Then the quarters are
# ranked (季通报) and the year rolled up.
# August's answers that came in time and were accepted (销号); the others are chased
DEMO_ANSWERED := DW0002-ZB03 DW0004-ZB07 DW0006-ZB03 DW0007-ZB05
DEMO_MONTHS := 2026-08:2026-09 2026-09:2026-10 2026-10:2026-11 2026-11:2026-12

demo: install
	mkdir -p demo-run
	test -f demo-run/office.toml || cp samples/office.toml demo-run/office.toml  # a fictional city's
	cd demo-run && for pair in $(DEMO_MONTHS); do \
	  month=$${pair%%:*}; next=$${pair##*:}; \
	  ../$(BIN)/dutyflow run --input ../samples/$$month-党建报表.xlsx --period $$month --on $$next-02 || exit $$?; \
	  if [ $$month != 2026-11 ]; then \
	    ../$(BIN)/dutyflow review --all-office $$month --approve --reviewer 张主任 >/dev/null || exit $$?; \
	    ../$(BIN)/dutyflow issue --period $$month --on $$next-09 >/dev/null || exit $$?; \
	  fi; \
	  if [ $$month = 2026-08 ]; then \
	    for case in $(DEMO_ANSWERED); do \
	      ../$(BIN)/dutyflow reply 2026-08-$$case --received 2026-09-15 --note 已整改 >/dev/null && \
	      ../$(BIN)/dutyflow accept 2026-08-$$case --reviewer 刘审核 >/dev/null || exit $$?; \
	    done; \
	  fi; \
	done
	cd demo-run && ../$(BIN)/dutyflow cases --period 2026-08 && ../$(BIN)/dutyflow actions --period 2026-11
# the third quarter ranked and circulated on 15 October (the ranking it printed stays), the
# fourth ranked so far, and the year rolled up
	cd demo-run && ../$(BIN)/dutyflow ranking --period 2026-Q3 --draft --on 2026-10-12 >/dev/null && \
	  { ../$(BIN)/dutyflow review ranking-2026-Q3 --approve --reviewer 张主任 2>/dev/null || \
	    ../$(BIN)/dutyflow ranking --period 2026-Q3 | grep -q "已通报"; } && \
	  ../$(BIN)/dutyflow issue --period 2026-Q3 --on 2026-10-15 2>/dev/null | grep ranking-; \
	  ../$(BIN)/dutyflow ranking --period 2026-Q4 --draft --on 2026-12-02 | tail -1 && \
	  ../$(BIN)/dutyflow year --period 2026

test: install
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: install
	$(BIN)/ruff check dutyflow models rules flows tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/mypy bench

# The review desk's pages at 5,000 documents (a minute; prints median and p95 per page;
# DOCUMENTS=50000 for the larger office)
bench-desk: install
	$(BIN)/python -m bench.desk_scale --documents $${DOCUMENTS:-5000}

# The portal's home page and inbox at 20,000 organizations (SQLite, then PostgreSQL)
bench-portal: install
	$(BIN)/python -m bench.portal_scale --organizations $${ORGS:-20000}
	$(BIN)/python -m bench.portal_scale --organizations $${ORGS:-20000} --postgresql

# The scaling model's inputs (issue 29): the serial part, each shard, Dask's overhead on 1 and 2
# workers and PostgreSQL's COPY ceiling at 10,000 branches, then the model's predictions for
# 5,000,000 organizations on 16, 64 and 256 workers (a few minutes; a scratch PostgreSQL database)
bench-scale: install
	$(BIN)/python -m bench.scale_model --orgs $${ORGS:-10000} --postgresql --json-out bench-scale.json

# The province-scale benchmark (minutes; prints the per-stage table, writes bench-results.json)
bench: install
	$(BIN)/python -m bench --orgs $${ORGS:-20000} --json-out bench-results.json

# Ten provinces' worth: dutyflow run at 200,000 branches, wall and peak RSS (several minutes,
# about 2.5 GiB of memory; the input is generated first and not timed)
bench-big: install
	$(BIN)/python -m bench.command_line --orgs $${ORGS:-200000} --workdir $${WORKDIR:-bench-big}

clean:
	rm -rf demo-run
