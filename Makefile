# Greenroom: `make run` serves the portal with its worker and scheduler; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint migrate demo worker clean screenshots

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

# The portal on http://$(HOST):$(PORT)/ with a Celery worker that also runs the beat scheduler.
run: demo
	@echo "Greenroom on http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)  Ctrl-C stops everything."
	@trap 'kill 0' EXIT INT TERM; \
	$(VENV)/bin/celery -A portal worker --beat --loglevel=INFO --concurrency=2 & \
	$(PY) manage.py runserver --noreload $(HOST):$(PORT)

worker: install
	$(VENV)/bin/celery -A portal worker --beat --loglevel=INFO

test: install
	$(VENV)/bin/pytest

# PNGs of the demo portal in docs/screenshots/ (throwaway database; needs /usr/bin/chromium).
screenshots: install
	$(PY) scripts/screenshots.py

lint: install
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) .var .pytest_cache .ruff_cache
