# Qabilet — skills matching for Digital Qazaqstan. `make help` lists every target.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

export HF_HUB_OFFLINE := 1
export QABILET_DATA_DIR ?= var/data
export QABILET_SHARED_DATA ?= ../shared/data
export OMP_NUM_THREADS ?= 1

LOAD_USERS ?= 50
LOAD_RATE ?= 10
LOAD_DURATION ?= 60s
# make load-capacity: users per step and each step's length
CAPACITY_STEPS ?= 20,40,60,90,120,160
CAPACITY_STEP ?= 30s
SEED_LEARNERS ?= 300
SCALE_N ?= 1000000
SCALE_REUSE ?= 1
# `make scale` texts: all = also encode the 1,000 hh.kz vacancy and 1,500 course texts once
# (cached in var/scale; course skills then come from the real course texts); occupations =
# derive vacancies and courses from the ESCO occupation and skill vectors alone (quicker).
SCALE_TEXTS ?= all
PYTEST_ARGS ?=
# Label and sentence vectors of `make train` / `make eval` (encoded once, then reused).
EVAL_CACHE ?= var/cache

.PHONY: help install test test-fast lint format run stop status seed import-esco \
        import-courses import-vacancies vocabulary train eval bench bench-catchup bench-gateway scale load load-capacity clean

help: ## list every target
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-17s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# Last, the project itself, editable, so services, gateway and scripts import from anywhere: the
# venv's setuptools builds it (no isolated build env to fetch) and --no-deps keeps the pins.
# requirements-dev.txt is the runtime (requirements.txt, all the production image gets) plus the
# test, lint, benchmark and load tooling.
$(STAMP): requirements.txt requirements-dev.txt requirements.lock pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -r requirements-dev.txt -c requirements.lock
	$(PIP) install --quiet "setuptools>=70.1"
	$(PIP) install --quiet --no-deps --no-build-isolation -e .
	$(VENV)/bin/pybabel --quiet compile --domain messages --directory gateway/translations
	touch $(STAMP)

install: $(STAMP) ## create .venv, install pinned runtime + dev dependencies and the project (editable)

test: $(STAMP) ## run the whole test suite (unit, HTTP, live gunicorn, browser)
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: $(STAMP) ## run the tests that need neither the real model nor a browser
	$(PY) -m pytest -m "not slow and not browser" $(PYTEST_ARGS)

lint: $(STAMP) ## ruff (lint + format check) and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy services gateway scripts

format: $(STAMP) ## apply ruff's formatting and safe fixes
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

run: $(STAMP) ## start every service under gunicorn (seeds an empty store on first start)
	$(PY) -m scripts.run

stop: ## stop the supervisor, then every service `make run` started (by pid)
	@test -x $(PY) && $(PY) -m services.common.launch.suite stop || python3 -m services.common.launch.suite stop

status: ## show the supervisor and the pids, ports and restarts of running services
	@$(PY) -m services.common.launch.suite status
	@$(PY) -m scripts.matcher_status

seed: $(STAMP) ## load real courses, vacancies, ESCO and generated learners into the store
	$(PY) -m scripts.run --seed-only

import-esco: $(STAMP) ## import the ESCO v1.1.1 taxonomy into the matcher's database
	$(PY) -m services.matcher.esco.taxonomy import --data-dir $(QABILET_SHARED_DATA)/esco

import-courses: $(STAMP) ## import the real edX and Coursera catalogues
	$(PY) -m services.learner.courses.importers courses --data-dir $(QABILET_SHARED_DATA)/courses

import-vacancies: $(STAMP) ## import the 1,000 real hh.kz vacancies
	$(PY) -m services.jobs.vacancies.importers vacancies --data-dir $(QABILET_SHARED_DATA)/jobs

vocabulary: $(STAMP) ## compile the skill vocabulary (O*NET tools, local terms, ru/kk labels) against ESCO
	$(PY) -m services.matcher.ml.vocabulary.build --data-dir $(QABILET_SHARED_DATA) --coverage

train: $(STAMP) ## fit the skill ranker on training data only (services/matcher/ml/data/ranker-*.json)
	$(PY) -m services.matcher.ml.ranker_train --data-dir $(QABILET_SHARED_DATA) --cache-dir $(EVAL_CACHE)

eval: $(STAMP) ## score skills through the API's path (in/out-of-sample, en/ru/kk), titles, latency
	$(PY) -m services.matcher.quality.evaluate --data-dir $(QABILET_SHARED_DATA) --cache-dir $(EVAL_CACHE) \
		--out reports/eval.json $(EVAL_ARGS)

bench: $(STAMP) ## encoding throughput and top-k latency at 10k/100k/1M (prints, plots)
	$(PY) -m services.matcher.bench.latency --out reports/bench

bench-catchup: $(STAMP) ## p50/p99 and 5xx of matcher requests while it indexes a fresh seed
	$(PY) -m scripts.bench_catchup

scale: $(STAMP) ## matcher at national size through the real request path (SCALE_N learners, N/5 vacancies)
	$(PY) -m services.matcher.bench.scale --n $(SCALE_N) --texts $(SCALE_TEXTS) --out reports/scale $(if $(filter 1,$(SCALE_REUSE)),--reuse,)

bench-reads: $(STAMP) ## p50/p95 of course, learner, vacancy and report reads at 1x/10x, before vs after
	$(PY) -m scripts.bench_reads

bench-gateway: $(STAMP) ## req/s of a GET through the gateway vs straight to the service
	$(PY) -m scripts.bench_gateway

load: $(STAMP) ## locust load test against `make run` (LOAD_USERS, LOAD_RATE, LOAD_DURATION)
	$(PY) -m scripts.load --users $(LOAD_USERS) --rate $(LOAD_RATE) --duration $(LOAD_DURATION)

load-capacity: $(STAMP) ## step the users up until p99 passes 500 ms; prints the highest req/s held
	$(PY) -m scripts.load --capacity --steps $(CAPACITY_STEPS) --duration $(CAPACITY_STEP) --rate $(LOAD_RATE)

clean: stop ## remove run state, logs and reports (keeps the data store)
	rm -rf var/run var/log reports .pytest_cache .mypy_cache .ruff_cache
