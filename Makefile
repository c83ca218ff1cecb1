# Every target bootstraps what it needs on a fresh machine with Python >= 3.11:
# uv (into the user's Python if missing), then .venv from the committed uv.lock.
PYTHON ?= python3
UV := $(PYTHON) -m uv
RUN := $(UV) run --frozen --no-sync
export UV_PYTHON_DOWNLOADS := never

.PHONY: test lint format demo demo-reset demo-day bench screenshots soak-sync soak translations
.DEFAULT_GOAL := test

.venv/.synced: pyproject.toml uv.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	  || { echo "SG-POS needs Python >= 3.11; '$(PYTHON)' is older. Run: make PYTHON=python3.11 ..." >&2; exit 1; }
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --user --quiet uv \
	  || $(PYTHON) -m pip install --user --quiet --break-system-packages uv
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

lint: .venv/.synced
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy .
	$(RUN) lint-imports

format: .venv/.synced
	$(RUN) ruff check --fix .
	$(RUN) ruff format .

# npos, an ESC/POS interpreter that is not ours (npm), reads the till's printer jobs back in
# tests/unit/test_printing_npos.py; the lock file pins it and what it needs.
NPOS := tests/escpos_npos/node_modules/.installed
# Without npm (or without the npm registry) those tests say so and skip; the rest still run.
$(NPOS): tests/escpos_npos/package.json tests/escpos_npos/package-lock.json
	@if command -v npm >/dev/null; then \
	  (cd tests/escpos_npos && npm ci --omit=optional --ignore-scripts --no-audit --no-fund) \
	  && touch $@ || echo "npos could not be installed: its printer read-back tests will skip"; \
	else echo "no npm here: the npos printer read-back tests will skip"; fi

test: lint $(NPOS)
	QT_QPA_PLATFORM=offscreen $(RUN) pytest

# The till app on a demo shop in the user's data folder; with PostgreSQL on 127.0.0.1:5432
# (or SGPOS_DEMO_DB_URL) also head office's server and dashboard, which the till syncs with.
demo: .venv/.synced
	@$(RUN) python -m installer.demo || [ $$? -eq 130 ]  # Ctrl-C is a normal way to stop it

# Deletes the demo's folder and its database; the next 'make demo' starts a fresh shop.
demo-reset: .venv/.synced
	$(RUN) python -m installer.demo --reset

# Rings a demo trading day into the user's data folder; prints its Z report and a receipt.
demo-day: .venv/.synced
	$(RUN) sgpos-till demo-day

# Benchmarks print their figures and save JSON under bench/results/. The sync benchmarks
# need PostgreSQL (SGPOS_BENCH_PG_URL, a server on 127.0.0.1:5432, or installed binaries).
bench: .venv/.synced
	$(RUN) python -m bench.sale
	$(RUN) python -m bench.lookup
	$(RUN) python -m bench.fsync_floor
	$(RUN) python -m bench.ingest
	$(RUN) python -m bench.drain
	$(RUN) python -m bench.visible
	$(RUN) python -m bench.initial_load
	$(RUN) python -m bench.fleet
	QT_QPA_PLATFORM=offscreen $(RUN) python -m bench.scan
	$(RUN) python -m bench.dashboard

# A cashier's 10,000-sale day at the real till window in one process (tests/ui/day.py):
# prints memory and scan-to-line figures and saves bench/results/day_at_till.json.
# SGPOS_DAY_SALES sets the count, SGPOS_DAY_SEED replays a day; `make test` runs 2,000.
soak: .venv/.synced
	SGPOS_DAY_SALES=$${SGPOS_DAY_SALES:-10000} SGPOS_DAY_SAVE=1 QT_QPA_PLATFORM=offscreen \
	  $(RUN) pytest tests/ui/test_day_at_till.py -k whole_day -p no:randomly -q

# The sync soak: ROUNDS rounds of random faults (kills, partitions, blackholes, lossy links,
# lost answers, open transactions, cut database connections, restores, replaced machines,
# poison) against real tills, agents and servers; each healed and checked. SEED replays one.
ROUNDS ?= 10
soak-sync: .venv/.synced
	$(RUN) python -m tests.soak --rounds $(ROUNDS) $(if $(SEED),--seed $(SEED))

# Screenshots of the till (offscreen Qt) and of the dashboard (headless Chromium) in docs/.
screenshots: .venv/.synced
	QT_QPA_PLATFORM=offscreen $(RUN) python docs/screenshots/till_app.py
	QT_QPA_PLATFORM=offscreen $(RUN) python docs/screenshots/customers.py
	QT_QPA_PLATFORM=offscreen $(RUN) python docs/screenshots/till_promotions.py
	QT_QPA_PLATFORM=offscreen $(RUN) python docs/screenshots/till_purchase_order.py
	QT_QPA_PLATFORM=offscreen $(RUN) python docs/screenshots/till_gift_vouchers.py
	$(RUN) python docs/screenshots/head_office.py
	$(RUN) python docs/screenshots/head_office_vouchers.py

# The till's screen translations: collect the marked strings into the .ts file (keeping what is
# translated; open it in pyside6-linguist to translate), then compile the .qm the till loads.
translations: .venv/.synced
	$(RUN) pyside6-lupdate till/ui/*.py -ts till/ui/i18n/till_zh_CN.ts -no-obsolete
	$(RUN) pyside6-lrelease till/ui/i18n/till_zh_CN.ts -qm till/ui/i18n/till_zh_CN.qm
