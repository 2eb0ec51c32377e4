# Desk — the two commands of the README, plus the developer helpers.
#   make run    set up .venv and open Desk on your local store (DESK_DB or --db for another)
#   make test   set up .venv and run the whole test suite (what CI runs)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench lint lock demo package clean messages

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Desk needs Python 3.11 or newer (PYTHON=$(PYTHON))"; exit 1; }
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { echo "Desk needs Python's venv module (on Debian/Ubuntu: sudo apt-get install python3-venv)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m desk.core.i18n_build  # .po -> .mo (translations are compiled, not committed)
	@touch $(STAMP)

run: $(STAMP)
	@packaging/system-deps.sh app
	$(BIN)/desk $(ARGS)

test: $(STAMP)
	@packaging/system-deps.sh test
	$(BIN)/ruff check desk tests migrations
	$(BIN)/lint-imports
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	@packaging/system-deps.sh app
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m tests.perf.run $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check desk tests migrations
	$(BIN)/lint-imports

lock: $(STAMP)
	$(BIN)/python -m pip install --quiet --upgrade -e '.[dev]'
	{ echo "# Pinned versions of every package Desk and its test suite use (runtime + dev)."; \
	  echo "# Regenerate: make lock"; $(BIN)/pip freeze --exclude-editable | grep -v '^desk' | sort -f; } > requirements.lock

demo: $(STAMP)
	$(BIN)/desk demo --tickets 20000 --seed 1

package: $(STAMP)
	$(BIN)/python -m pip install --quiet "pyinstaller==6.22.3"
	$(BIN)/pyinstaller --noconfirm --clean --distpath dist --workpath build/pyinstaller packaging/desk.spec
	@echo "Built dist/desk/desk; desktop entry and AppStream metadata are in packaging/"

# Re-extract the translatable strings and merge them into every catalog (new ones untranslated).
messages: $(STAMP)
	@mkdir -p build
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k counted:2,3 --sort-output --no-location --no-wrap -o build/desk.pot desk
	$(BIN)/pybabel update -i build/desk.pot -d resources/locale -D desk --no-fuzzy-matching --no-wrap --ignore-obsolete
	$(BIN)/python -m desk.core.i18n_build

clean:
	rm -rf $(VENV) build dist *.egg-info
