# Helpium. `make run` and `make test` set up everything they need:
# a project-local PostgreSQL 15, Weaviate v1.35.2 and Mailpit v1.33.1, and
# for tests Redis and versitygw v1.8.0, an S3 server (built once into .bin/).
SHELL := /bin/bash
GO ?= go
DATA_DIR ?= $(or $(HELPIUM_DATA_DIR),.data)
TEST_DATA_DIR ?= .data/test
E2E_DATA_DIR ?= .data/e2e
EVAL_DATA_DIR ?= .data/eval
BENCH_DATA_DIR ?= .data/bench
EVAL_SETS ?= ../shared/kb_dev/kb_dev.json,evalsets/*.json
DEVSTACK := $(GO) run ./cmd/devstack
# Test, benchmark and evaluation targets always start services of their own,
# even in a shell that loaded make run's settings (.data/helpium.env).
OWN_SERVICES := env -u DATABASE_URL -u WEAVIATE_URL -u WEAVIATE_GRPC_ADDR -u REDIS_URL \
	-u HELPIUM_SMTP_HOST -u HELPIUM_SMTP_PORT -u HELPIUM_SMTP_TLS -u HELPIUM_SMTP_USERNAME -u HELPIUM_SMTP_PASSWORD -u MAILPIT_URL \
	-u HELPIUM_S3_ENDPOINT -u HELPIUM_S3_REGION -u HELPIUM_S3_BUCKET -u HELPIUM_S3_ACCESS_KEY_ID -u HELPIUM_S3_SECRET_ACCESS_KEY
GOTEST_FLAGS ?= -count=1 -timeout 30m
FUZZ_DATA_DIR ?= .data/fuzz
FUZZTIME ?= 30s
# Minimizing each new input may take Go's default 60 s, the whole budget of a
# short run: keep it short so the time goes to fuzzing.
FUZZMINIMIZETIME ?= 2s
SOAK_DATA_DIR ?= .data/soak

.PHONY: run test race build generate check-generated vet fmt widget playground app e2e eval bench fuzz soak

## run: start PostgreSQL, Weaviate and Mailpit, migrate, seed the demo workspace, serve on 127.0.0.1:8080
run: build
	@test -s $(DATA_DIR)/encryption.key || { mkdir -p $(DATA_DIR) && .bin/helpium keys generate -id local > $(DATA_DIR)/encryption.key && chmod 600 $(DATA_DIR)/encryption.key; }
	HELPIUM_ENCRYPTION_KEY="$${HELPIUM_ENCRYPTION_KEY:-$$(cat $(DATA_DIR)/encryption.key)}" $(DEVSTACK) -data $(DATA_DIR) -- .bin/helpium serve -migrate -seed

## test: start test PostgreSQL, Weaviate, Mailpit, Redis and versitygw (S3) (own data dir and ports) and run every test against them
test:
	$(OWN_SERVICES) $(DEVSTACK) -data $(TEST_DATA_DIR) -fast -redis -s3 -- $(GO) test $(GOTEST_FLAGS) ./...

## race: make test under the race detector (about twice as long; needs gcc for cgo)
race:
	$(OWN_SERVICES) $(DEVSTACK) -data $(TEST_DATA_DIR) -fast -redis -s3 -- $(GO) test -race $(GOTEST_FLAGS) ./...

## fuzz: run each fuzz target for $(FUZZTIME) against real services (REST decoding, hostile Customer API
## requests, widget GraphQL variables); invariants: no 5xx, no panic, always the error envelope
fuzz:
	$(OWN_SERVICES) $(DEVSTACK) -data $(FUZZ_DATA_DIR) -fast -- bash -c 'set -e; \
	  $(GO) test -run "^$$" -fuzz "^FuzzBindJSON$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) ./rest/; \
	  $(GO) test -run "^$$" -fuzz "^FuzzCustomerAPI$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) ./server/; \
	  $(GO) test -run "^$$" -fuzz "^FuzzWidgetGraphQL$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) ./server/'

## soak: 60 s (SOAK_DURATION) of mixed widget traffic from 50 clients against a server on loopback,
## with one PostgreSQL restart in the middle; prints 5xx outside the outage, acknowledged vs stored
## messages, goroutines and heap before/after (not part of make test)
soak:
	$(OWN_SERVICES) $(DEVSTACK) -data $(SOAK_DATA_DIR) -fast -- $(GO) test -tags soak -count=1 -timeout 15m -run '^TestSoak$$' -v ./server/

## e2e: browser tests of the widget and the account pages in headless Chromium (Debian's chromium,
## installed with apt-get when missing) against real PostgreSQL, Weaviate and Mailpit; screenshots go to test-artifacts/e2e/
e2e:
	$(OWN_SERVICES) $(DEVSTACK) -data $(E2E_DATA_DIR) -fast -- $(GO) test -tags e2e $(GOTEST_FLAGS) -v ./e2e/...

## eval: search and answer quality on every set of $(EVAL_SETS) for each embedder mode (minilm,
## none) through the REST API, beside a naive reference computed in the same run; prints
## recall@1/@3, MRR@10, answer facts, abstention and refusal per set and macro, and writes EVAL.md
eval: build
	$(OWN_SERVICES) $(DEVSTACK) -data $(EVAL_DATA_DIR) -fast -- $(GO) run ./cmd/eval -sets '$(EVAL_SETS)' -helpium .bin/helpium -out EVAL.md $(EVAL_FLAGS)

## bench: each workload next to its baseline in the same run (loopback only, bounded), then the Go
## microbenchmarks; prints the table and writes BENCHMARKS.md (the ratios are what count); -s3 for
## the uploads to S3 (versitygw)
bench:
	$(OWN_SERVICES) $(DEVSTACK) -data $(BENCH_DATA_DIR) -fast -s3 -- $(GO) run ./cmd/bench -out BENCHMARKS.md

## widget: rebuild widget/dist/widget.js from widget/src (commit both; a test checks they match)
widget:
	$(GO) run ./widget/cmd/build

## playground: rebuild playground/dist (GraphiQL for /playground) from playground/src: npm ci, the
## TypeScript check, then esbuild; the result is committed (go test ./playground fails when it is stale)
playground:
	cd playground && npm ci --no-audit --no-fund && npx tsc -p .
	$(GO) run ./cmd/jsbundle -dir playground -name playground

## app: rebuild app/dist (the agent app at /app) from app/src: npm ci, the operations' types from
## schema.graphql (graphql-codegen into app/src/gql/), the TypeScript check, then esbuild; the
## results are committed (go test ./app fails when either is stale)
app:
	cd app && npm ci --no-audit --no-fund && npx graphql-codegen --config codegen.ts --errors-only && npx tsc -p .
	$(GO) run ./cmd/jsbundle -dir app -name app -extra ../widget/src/markdown.js,../widget/src/dom.js

build:
	$(GO) build -o .bin/helpium ./cmd/helpium

## generate: regenerate gqlgen code from schema.graphql
generate:
	$(GO) tool gqlgen generate

## check-generated: fail when generated code is out of date
check-generated: generate
	git diff --exit-code -- graph/

vet:
	$(GO) vet ./...

fmt:
	gofmt -l -w .
