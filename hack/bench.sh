#!/usr/bin/env bash
# Engine benchmark: filled in by the engine work (see docs/benchmarks.md).
echo "bench: no benchmarks yet" >&2
