# redisctl — build, test, bench, lint.
# Every Go invocation uses -tags grpcnotrace (see docs/development.md: it keeps
# grpc's x/net/trace, and with it html/template, out of the binary).

GO      ?= go
TAGS    := grpcnotrace
BIN     := bin/redisctl
GOFLAGS_ALL := -tags $(TAGS)

.PHONY: all build test test-deps unit bench lint fmt clean

all: build

build:
	$(GO) build $(GOFLAGS_ALL) -o $(BIN) .

# The README's test command. Installs what the tests need when it is missing,
# then runs vet and the whole test suite.
test: test-deps lint
	$(GO) test $(GOFLAGS_ALL) -count=1 -timeout 45m ./...

test-deps:
	@hack/test-deps.sh

# Quick loop while developing: no dependency check, slow tests skipped.
unit:
	$(GO) test $(GOFLAGS_ALL) -short ./...

bench: build
	@hack/bench.sh

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi
	$(GO) vet $(GOFLAGS_ALL) ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin
