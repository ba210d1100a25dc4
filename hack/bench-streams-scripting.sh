#!/usr/bin/env bash
# Stream and scripting benchmarks (issue 5), run by hack/bench.sh after its
# other matrices against the same two servers:
#
#   hack/bench-streams-scripting.sh ENGINE_PORT REDIS_PORT
#
# Same method as bench.sh: each test runs on both servers back to back,
# the order alternating between rounds; a test's ratio is the geometric
# mean of its per-round engine/redis ratios. Targets (issue 5): XADD >= 0.9,
# EVALSHA >= 0.7.
#   XADD            XADD bench:s * f v (one stream, growing)
#   XREADGROUP      XREADGROUP GROUP g c COUNT 1 STREAMS bench:q > on a
#                   pre-filled stream (each call delivers one entry)
#   XACK            XACK bench:q g <random delivered id>
#   EVALSHA         a rate limiter: INCR + EXPIRE of one of 100k keys
#                   local c = redis.call("INCR", KEYS[1])
#                   redis.call("EXPIRE", KEYS[1], ARGV[1]) return c
#
# Environment: ROUNDS [3] CLIENTS [50] PIPELINES ["1 16"] SS_REQUESTS
# [200000] KEEP [unset: raw CSV dir]
set -u
set -f # commands hold "*": no globbing when they are split into words
EPORT=$1 RPORT=$2
ROUNDS=${ROUNDS:-3} CLIENTS=${CLIENTS:-50} PIPELINES=${PIPELINES:-"1 16"}
N=${SS_REQUESTS:-200000}
work=$(mktemp -d /tmp/redisctl-bench-ss.XXXXXX)
trap 'rm -rf "$work"' EXIT
raw=${KEEP:-$work}/streams-scripting.csv
mkdir -p "$(dirname "$raw")"; : > "$raw"

script='local c = redis.call("INCR", KEYS[1]) redis.call("EXPIRE", KEYS[1], ARGV[1]) return c'
sha=$(printf '%s' "$script" | sha1sum | cut -d' ' -f1)

# prepare PORT: load the script and fill bench:q with N entries 1-0..N-0
# and a group g at its start, so XREADGROUP always finds entries and the
# XACK ids (1..N) exist.
prepare() {
  redis-cli -p "$1" flushall >/dev/null
  [ "$(redis-cli -p "$1" script load "$script")" = "$sha" ] || { echo "bench: SCRIPT LOAD failed on $1" >&2; exit 1; }
  awk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++) { id = i "-0"; printf "*5\r\n$4\r\nXADD\r\n$7\r\nbench:q\r\n$%d\r\n%s\r\n$1\r\nf\r\n$1\r\nv\r\n", length(id), id } }' |
    redis-cli -p "$1" --pipe >/dev/null 2>&1
  redis-cli -p "$1" xgroup create bench:q g 0 >/dev/null
}

# name|keyspace|command
tests="xadd|1|XADD bench:s * f v
xreadgroup|1|XREADGROUP GROUP g c COUNT 1 STREAMS bench:q >
xack|$N|XACK bench:q g __rand_int__-0
evalsha|100000|EVALSHA $sha 1 rl:__rand_int__ 60"

# run SERVER PORT ROUND PIPELINE NAME KEYSPACE COMMAND appends
# "server,round,P,name,rps".
run() {
  local out line
  # shellcheck disable=SC2086
  out=$(timeout 300 redis-benchmark -p "$2" -n "$N" -c "$CLIENTS" -r "$6" -P "$4" --csv $7 2>/dev/null)
  line=$(printf '%s\n' "$out" | grep -v '^"test"' | grep '^"' | head -1)
  if [ -z "$line" ]; then echo "$1,$3,$4,$5," >> "$raw"; return; fi
  printf '%s\n' "$line" | awk -F'","' -v s="$1" -v r="$3" -v p="$4" -v t="$5" \
    '{gsub(/"/, "", $2); print s "," r "," p "," t "," $2}' >> "$raw"
}

for round in $(seq "$ROUNDS"); do
  for p in $PIPELINES; do
    prepare "$EPORT"; prepare "$RPORT"
    while IFS='|' read -r name k cmd; do
      if [ $((round % 2)) -eq 1 ]; then
        run redis "$RPORT" "$round" "$p" "$name" "$k" "$cmd"; run engine "$EPORT" "$round" "$p" "$name" "$k" "$cmd"
      else
        run engine "$EPORT" "$round" "$p" "$name" "$k" "$cmd"; run redis "$RPORT" "$round" "$p" "$name" "$k" "$cmd"
      fi
    done <<< "$tests"
  done
  echo "# streams/scripting round $round/$ROUNDS done ($(cut -d' ' -f1 /proc/loadavg) load)" >&2
done
redis-cli -p "$EPORT" flushall >/dev/null; redis-cli -p "$RPORT" flushall >/dev/null

awk -F, -v pipes="$PIPELINES" -v tests="$(cut -d'|' -f1 <<< "$tests" | paste -sd,)" '
function med(a, n,   i, j, t) { for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j+1] = a[j]; a[j+1] = t }
  return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2 }
{ k = $3 SUBSEP $4 SUBSEP $2; rps[$1, k] = $5; if ($2 > rounds) rounds = $2 }
END {
  np = split(pipes, P, " "); nt = split(tests, T, ",")
  target["xadd"] = 0.9; target["evalsha"] = 0.7
  for (pi = 1; pi <= np; pi++) {
    printf "\n== streams and scripting -P %s\n%-12s %10s %10s %7s %13s %7s\n", P[pi], "test", "redis/s", "engine/s", "ratio", "[min..max]", "target"
    for (ti = 1; ti <= nt; ti++) {
      t = T[ti]; lr = 0; m = 0; lo = 1e9; hi = 0; nr = 0; ne = 0
      delete R; delete E
      for (r = 1; r <= rounds; r++) {
        k = P[pi] SUBSEP t SUBSEP r
        if (rps["redis", k] != "") R[++nr] = rps["redis", k]
        if (rps["engine", k] != "") E[++ne] = rps["engine", k]
        if (rps["redis", k] > 0 && rps["engine", k] != "") {
          q = rps["engine", k] / rps["redis", k]; lr += log(q); m++; if (q < lo) lo = q; if (q > hi) hi = q }
      }
      if (m == 0) { printf "%-12s %10s %10s %7s\n", toupper(t), "n/a", "n/a", "n/a"; continue }
      g = exp(lr / m); ratio[t, P[pi]] = g
      printf "%-12s %10.0f %10.0f %7.3f %13s %7s\n", toupper(t), med(R, nr), med(E, ne), g, sprintf("[%.2f..%.2f]", lo, hi), (t in target) ? ">= " target[t] : ""
    }
    if (((("xreadgroup", P[pi]) in ratio)) && (("xack", P[pi]) in ratio))
      printf "%-12s %10s %10s %7.3f   (geomean of the two)\n", "XREADGROUP+XACK", "", "", sqrt(ratio["xreadgroup", P[pi]] * ratio["xack", P[pi]])
  }
}' "$raw"
[ -n "${KEEP:-}" ] && echo "# raw stream/scripting results: $raw"
exit 0
