# Two entry points for a fresh machine (see README): `make demo` and `make test`.
# Both create .venv, install the pinned dependencies (torch==2.13.0 is the CPU build) and run offline.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: demo test install lint bench clean

$(BIN)/eventcoder: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/eventcoder

demo: install
	$(BIN)/eventcoder code examples/articles.jsonl -o out/sample_events.tsv
	$(BIN)/eventcoder code examples/articles.jsonl -o out/sample_events.jsonl
	@echo "--- first events (out/sample_events.jsonl):"
	@head -n 5 out/sample_events.jsonl | $(BIN)/python -c "import json,sys; [print(e['doc_id'], e['source_code'], '->', e['target_code'] or '-', e['event_code'], e['code_name'], round(e['confidence'], 2)) for e in map(json.loads, sys.stdin)]"

lint: install
	$(BIN)/ruff check .

test: install
	$(BIN)/ruff check .
	$(BIN)/pytest -q

clean:
	rm -rf out .pytest_cache
