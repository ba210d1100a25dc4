#!/usr/bin/env bash
# Installs what `make test` needs when it is missing: Debian's redis-server and
# redis-tools (the reference server for differential tests, redis-cli and
# redis-benchmark) and python3-redis (a second real client). Uses apt-get when
# run as root; otherwise says what to install and lets the tests that need
# these skip with that reason.
set -u
need=()
command -v redis-server    >/dev/null 2>&1 || need+=(redis-server)
command -v redis-cli       >/dev/null 2>&1 || need+=(redis-tools)
command -v redis-benchmark >/dev/null 2>&1 || need+=(redis-tools)
/usr/bin/python3 -c 'import redis' >/dev/null 2>&1 || need+=(python3-redis)
[ ${#need[@]} -eq 0 ] && exit 0

pkgs=$(printf '%s\n' "${need[@]}" | sort -u | tr '\n' ' ')
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "test-deps: installing $pkgs(apt-get)"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pkgs >/dev/null \
    || { echo "test-deps: apt-get install $pkgs failed" >&2; exit 1; }
  # Debian's package may start a system redis-server on 6379; the tests do not use it.
  exit 0
fi
echo "test-deps: missing $pkgs— install them (e.g. sudo apt-get install $pkgs);"
echo "test-deps: tests that need them will skip and say so."
