# Grassroots: how to build, check and test. `make test` is THE test command.
#
#   make test            start/check PostgreSQL (.ci/ensure-postgres) and Chromium
#                        (.ci/ensure-chromium), then go test -race ./...
#   make lint            vet + fmt-check + staticcheck
#   make generate-check  go generate ./... must change nothing
#   make ci              lint + test + generate-check (what .ci/run runs)
#   make run             go run ./examples/demo
#   make load            the load test (examples/loadtest): ratios to a bare handler; LOAD_FLAGS='-duration 10s'
#
# Variables: TEST_FLAGS (e.g. TEST_FLAGS='-run Foo -count=1 -v'), PKGS (default ./...),
# GRASSROOTS_PG_URL (see internal/testdb), GRASSROOTS_LONG=1 for long runs.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := test
.DELETE_ON_ERROR:
MAKEFLAGS += --no-print-directory

GO         ?= go
PKGS       ?= ./...
TEST_FLAGS ?=
# staticcheck (honnef.co/go/tools) is pinned in its own module file so that it
# stays out of go.mod: `go tool -modfile=tools.mod staticcheck`.
TOOLS_MODFILE := tools.mod

# Under -race the compiler also turns on checkptr instrumentation. In
# modernc.org/sqlite (C translated to Go) that only costs time -- about twice
# the CPU of the SQLite code -- and some modernc versions trip it outright.
# Switch it off for modernc.org packages only; everything else keeps checkptr.
RACE_GCFLAGS := -gcflags=modernc.org/...=-d=checkptr=0

# After ensure-postgres succeeded, a PostgreSQL test that cannot connect is a
# failure, never a silent skip.
export GRASSROOTS_REQUIRE_PG ?= 1
# Likewise after ensure-chromium: a browser test without a browser fails.
export GRASSROOTS_REQUIRE_BROWSER ?= 1

section = @printf '\n==> %s\n' $(1)

.PHONY: test ensure-postgres ensure-chromium vet fmt-check staticcheck lint generate generate-check ci run load

test: ensure-postgres ensure-chromium
	$(call section,'go test -race $(PKGS)')
	$(GO) test -race '$(RACE_GCFLAGS)' -skip '^TestArticleCity$$' $(TEST_FLAGS) $(PKGS)
	$(call section,'the article city (235,000 records; too slow under -race)')
	$(GO) test $(TEST_FLAGS) -run '^TestArticleCity$$' ./examples/citygen

ensure-postgres:
	$(call section,'ensure-postgres')
	bash .ci/ensure-postgres

ensure-chromium:
	$(call section,'ensure-chromium')
	bash .ci/ensure-chromium

vet:
	$(call section,'go vet')
	$(GO) vet $(PKGS)

fmt-check:
	$(call section,'gofmt -l')
	@files=$$(gofmt -l .); \
	if [[ -n $$files ]]; then \
		printf 'gofmt wants to reformat these files (run gofmt -w on them):\n%s\n' "$$files" >&2; \
		exit 1; \
	fi; \
	echo 'gofmt: all files formatted'

staticcheck:
	$(call section,'staticcheck')
	$(GO) tool -modfile=$(TOOLS_MODFILE) staticcheck $(PKGS)

lint: vet fmt-check staticcheck

generate:
	$(GO) generate ./...

generate-check:
	$(call section,'generate-check')
	bash .ci/generate-check

ci: lint test generate-check

run:
	$(GO) run ./examples/demo

# The load test builds the server, installs wrk when missing (as root), and
# prints the ratio table the README shows. PostgreSQL is ensured first so
# that all three backends are measured.
LOAD_FLAGS ?=
load: ensure-postgres
	$(call section,'load test')
	$(GO) run ./examples/loadtest $(LOAD_FLAGS)
