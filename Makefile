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
	@$(MAKE) --no-print-directory fuzz FUZZTIME=15s

test-deps:
	@hack/test-deps.sh

# Quick loop while developing: no dependency check, slow tests skipped.
unit:
	$(GO) test $(GOFLAGS_ALL) -short ./...

# Engine vs redis-server with redis-benchmark, as ratios (see docs/benchmarks.md).
bench: build
	@hack/bench.sh

# The engine's protocol parser, connection input path and persistence
# loaders (RDB files, DUMP payloads, RESTORE, AOF commands) under the fuzzer,
# FUZZTIME each; make test runs them for 15s each.
FUZZTIME ?= 60s
fuzz:
	$(GO) test $(GOFLAGS_ALL) -run '^$$' -fuzz '^FuzzParser$$' -fuzztime $(FUZZTIME) ./engine/resp/
	$(GO) test $(GOFLAGS_ALL) -run '^$$' -fuzz '^FuzzClientInput$$' -fuzztime $(FUZZTIME) ./engine/server/
	$(GO) test $(GOFLAGS_ALL) -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME) ./engine/rdb/
	$(GO) test $(GOFLAGS_ALL) -run '^$$' -fuzz '^FuzzDecodeDump$$' -fuzztime $(FUZZTIME) ./engine/rdb/
	$(GO) test $(GOFLAGS_ALL) -run '^$$' -fuzz '^FuzzRestore$$' -fuzztime $(FUZZTIME) ./engine/server/
	$(GO) test $(GOFLAGS_ALL) -run '^$$' -fuzz '^FuzzCommandReader$$' -fuzztime $(FUZZTIME) ./engine/aof/

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi
	$(GO) vet $(GOFLAGS_ALL) ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin
