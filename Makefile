# redisctl — build, test, bench, lint.
# Every Go invocation uses -tags grpcnotrace (see docs/development.md: it keeps
# grpc's x/net/trace, and with it html/template, out of the binary).

GO      ?= go
TAGS    := grpcnotrace
BIN     := bin/redisctl
GOFLAGS_ALL := -tags $(TAGS)

.PHONY: all build test test-deps unit bench fuzz lint fmt clean

all: build

build:
	$(GO) build $(GOFLAGS_ALL) -o $(BIN) .

# The README's test command. Installs what the tests need when it is missing,
# then runs vet and the whole test suite.
test: test-deps lint
	$(GO) test $(GOFLAGS_ALL) -count=1 -timeout 45m ./...
	@$(MAKE) --no-print-directory fuzz

test-deps:
	@hack/test-deps.sh

# Quick loop while developing: no dependency check, slow tests skipped.
unit:
	$(GO) test $(GOFLAGS_ALL) -short ./...

# Engine vs redis-server with redis-benchmark, as ratios (see docs/benchmarks.md).
bench: build
	@hack/bench.sh

# The engine's protocol parser, connection input path and persistence
# loaders (RDB files, DUMP payloads, RESTORE, AOF commands) under the fuzzer.
# By default (and in make test) each runs a fixed number of inputs, about
# 10-17 s each on the 2-core build machine: a time budget (-fuzztime 15s)
# makes Go 1.26's fuzz coordinator fail now and then at its deadline with
# "context deadline exceeded" and no failing input (golang/go#75804, fixed
# in Go 1.27), which a count does not. FUZZTIME=60s (or 1000000x) runs each
# target that long instead; -timeout still bounds a hung input.
FUZZTIME ?=
fuzzrun = $(GO) test $(GOFLAGS_ALL) -run '^$$' -fuzz '^$(1)$$' -fuzztime $(or $(FUZZTIME),$(3)) -timeout 10m $(2)
fuzz:
	$(call fuzzrun,FuzzParser,./engine/resp/,600000x)
	$(call fuzzrun,FuzzClientInput,./engine/server/,60000x)
	$(call fuzzrun,FuzzLoad,./engine/rdb/,150000x)
	$(call fuzzrun,FuzzDecodeDump,./engine/rdb/,150000x)
	$(call fuzzrun,FuzzRestore,./engine/server/,60000x)
	$(call fuzzrun,FuzzCommandReader,./engine/aof/,250000x)

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi
	$(GO) vet $(GOFLAGS_ALL) ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin
