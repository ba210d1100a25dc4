#!/usr/bin/env bash
# make bench: the bundled engine against Debian's redis-server, measured in
# the same run with redis-benchmark, reported as engine/redis ratios.
#
# Both servers run on 127.0.0.1 with persistence off. For every round and
# pipeline depth each test runs on both servers back to back, and which
# server goes first alternates between rounds so slow drift of the shared
# 2-core machine cancels out. A test's ratio is the geometric mean of its
# per-round ratios; the summary is the geometric mean over tests.
#
# Environment knobs (defaults in brackets):
#   ROUNDS [3]  REQUESTS [200000]  CLIENTS [50]  KEYSPACE [100000]  SIZE [3]
#   PIPELINES ["1 16"]
#   TESTS [set,get,incr,lpush,lpop,sadd,hset,zadd,lrange_100]
#   MEM [1]       also compare RSS growth for 1M SETs (-r 1000000 -d 32)
#   ENGINE [bin/redisctl]  REDIS [redis-server]
#   KEEP [unset]  keep the raw CSV in this directory
#   COLL [1]      then run hack/bench-collections.sh (its own knobs there)
#   SS [1]        then run hack/bench-streams-scripting.sh (XADD, XREADGROUP,
#                 XACK, EVALSHA; its own knobs there)
#   PERSIST [1]   then run hack/bench-persistence.sh (its own knobs there)
set -u
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3} REQUESTS=${REQUESTS:-200000} CLIENTS=${CLIENTS:-50}
KEYSPACE=${KEYSPACE:-100000} SIZE=${SIZE:-3} PIPELINES=${PIPELINES:-"1 16"}
TESTS=${TESTS:-set,get,incr,lpush,lpop,sadd,hset,zadd,lrange_100}
MEM=${MEM:-1} ENGINE=${ENGINE:-bin/redisctl} REDIS=${REDIS:-redis-server}

die() { echo "bench: $*" >&2; exit 1; }
for tool in redis-benchmark redis-cli "$REDIS"; do
  command -v "$tool" >/dev/null || die "$tool not found (apt-get install redis-server redis-tools)"
done
[ -x "$ENGINE" ] || die "$ENGINE not built (make build)"

work=$(mktemp -d /tmp/redisctl-bench.XXXXXX)
raw=${KEEP:-$work}/results.csv
mkdir -p "$(dirname "$raw")"; : > "$raw"
pids=()
stop_all() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$work"; }
trap stop_all EXIT
trap 'exit 130' INT TERM

. hack/bench-lib.sh

# start_server engine|redis LOGNAME: starts a fresh server on a free port,
# retrying on another port if that one was taken meanwhile; sets port, pid.
start_server() {
  local try
  for try in 1 2 3 4 5; do
    port=$(free_port)
    if [ "$1" = engine ]; then
      "$ENGINE" server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work/engine" \
        --logfile "$work/engine/$2" >/dev/null 2>&1 &
    else
      "$REDIS" --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work/redis" \
        --logfile "$work/redis/$2" --daemonize no >/dev/null 2>&1 &
    fi
    pid=$!
    pids+=("$pid")
    wait_ping "$port" "$pid" && return 0
    kill "$pid" 2>/dev/null
  done
  die "$1 did not start (see $work/$1/$2)"
}

mkdir -p "$work/engine" "$work/redis"
start_server engine log; eport=$port epid=$pid
start_server redis log; rport=$port rpid=$pid

echo "# make bench: engine (pid $epid, :$eport) vs $($REDIS --version | awk '{print $3}') (pid $rpid, :$rport)"
echo "# $(nproc) CPUs, $(uname -r), $(date -u +%FT%TZ); rounds=$ROUNDS n=$REQUESTS c=$CLIENTS r=$KEYSPACE d=$SIZE"

# bench_one SERVER PORT ROUND PIPELINE TEST appends "server,round,P,test,rps,p50,p99".
bench_one() {
  local out line
  out=$(timeout 300 redis-benchmark -p "$2" -t "$5" -n "$REQUESTS" -c "$CLIENTS" -r "$KEYSPACE" \
        -d "$SIZE" -P "$4" --csv 2>/dev/null)
  # The data row of the test itself: for lrange_* skip the LPUSH fill row.
  line=$(printf '%s\n' "$out" | grep -v '^"test"' | grep -iv 'needed to benchmark' | grep '^"' | head -1)
  if [ -z "$line" ]; then
    echo "$1,$3,$4,$5,,," >> "$raw"
    return
  fi
  printf '%s\n' "$line" | tr -d '"' | awk -F, -v s="$1" -v r="$3" -v p="$4" -v t="$5" \
    '{print s "," r "," p "," t "," $2 "," $5 "," $7}' >> "$raw"
}

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
# Memory first, on fresh processes: a server's RSS after earlier tests says
# nothing about what a key costs.
if [ "$MEM" = 1 ]; then
  echo
  echo "== memory: RSS growth of a fresh server for redis-benchmark -t set -n 1000000 -r 1000000 -d 32 -P 32"
  printf '%-8s %12s %12s %10s %10s\n' server rss_before rss_after keys bytes/key
  for who in redis engine; do
    start_server $who memlog
    sleep 1
    before=$(rss_kb "$pid")
    redis-benchmark -p "$port" -t set -n 1000000 -r 1000000 -d 32 -P 32 -c "$CLIENTS" -q >/dev/null 2>&1
    sleep 2
    after=$(rss_kb "$pid")
    keys=$(redis-cli -p "$port" dbsize)
    bpk=$(awk -v a="$after" -v b="$before" -v k="$keys" 'BEGIN {printf "%.1f", (a-b)*1024/k}')
    printf '%-8s %12s %12s %10s %10s\n' $who "$before" "$after" "$keys" "$bpk"
    echo "mem,$who,$bpk" >> "$raw"
    kill "$pid"; wait "$pid" 2>/dev/null
  done
fi

IFS=, read -r -a tests <<< "$TESTS"
for round in $(seq "$ROUNDS"); do
  for p in $PIPELINES; do
    redis-cli -p "$eport" flushall >/dev/null; redis-cli -p "$rport" flushall >/dev/null
    for t in "${tests[@]}"; do
      if [ $((round % 2)) -eq 1 ]; then
        bench_one redis "$rport" "$round" "$p" "$t"; bench_one engine "$eport" "$round" "$p" "$t"
      else
        bench_one engine "$eport" "$round" "$p" "$t"; bench_one redis "$rport" "$round" "$p" "$t"
      fi
    done
  done
  echo "# round $round/$ROUNDS done ($(cut -d' ' -f1 /proc/loadavg) load)" >&2
done

# Report: per pipeline, per test medians and the paired ratio.
awk -F, -v pipes="$PIPELINES" -v tests="$TESTS" '
function med(a, n,   i, j, t) { for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j+1] = a[j]; a[j+1] = t }
  return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2 }
$1 == "mem" { mem[$2] = $3; next }
{ k = $3 SUBSEP $4 SUBSEP $2; rps[$1, k] = $5; p50[$1, k] = $6; p99[$1, k] = $7; if ($2 > rounds) rounds = $2 }
END {
  np = split(pipes, P, " "); nt = split(tests, T, ",")
  all = 0; nall = 0; worst = 1e9; worstname = ""
  for (pi = 1; pi <= np; pi++) {
    printf "\n== -P %s\n%-12s %10s %10s %7s %13s %8s %8s %8s %8s\n", P[pi], "test", "redis/s", "engine/s", "ratio", "[min..max]", "r_p50", "e_p50", "r_p99", "e_p99"
    sum = 0; n = 0; p99sum = 0; p99n = 0
    for (ti = 1; ti <= nt; ti++) {
      t = T[ti]; lr = 0; m = 0; lo = 1e9; hi = 0; nr = 0; ne = 0
      delete R; delete E; delete R50; delete E50; delete R99; delete E99
      for (r = 1; r <= rounds; r++) {
        k = P[pi] SUBSEP t SUBSEP r
        if (rps["redis", k] != "") { nr++; R[nr] = rps["redis", k]; R50[nr] = p50["redis", k]; R99[nr] = p99["redis", k] }
        if (rps["engine", k] != "") { ne++; E[ne] = rps["engine", k]; E50[ne] = p50["engine", k]; E99[ne] = p99["engine", k] }
        if (rps["redis", k] != "" && rps["engine", k] != "" && rps["redis", k] > 0) {
          q = rps["engine", k] / rps["redis", k]; lr += log(q); m++; if (q < lo) lo = q; if (q > hi) hi = q }
      }
      if (m == 0) { printf "%-12s %10s %10s %7s\n", toupper(t), nr ? sprintf("%.0f", med(R, nr)) : "n/a", ne ? sprintf("%.0f", med(E, ne)) : "n/a", "n/a"; continue }
      g = exp(lr / m); sum += log(g); n++; all += log(g); nall++
      if (g < worst) { worst = g; worstname = toupper(t) " -P " P[pi] }
      r99 = med(R99, nr); e99 = med(E99, ne)
      if (r99 > 0) { p99sum += log(e99 / r99); p99n++ }
      printf "%-12s %10.0f %10.0f %7.3f %13s %8.3f %8.3f %8.3f %8.3f\n", toupper(t), med(R, nr), med(E, ne), g,
        sprintf("[%.2f..%.2f]", lo, hi), med(R50, nr), med(E50, ne), r99, e99
    }
    if (n) {
      printf "geomean -P %s: %.3f over %d tests", P[pi], exp(sum / n), n
      if (p99n) printf "; p99 engine/redis (geomean): %.3f", exp(p99sum / p99n)
      printf "\n"
    }
  }
  if (("redis" in mem) && ("engine" in mem) && mem["redis"] > 0)
    printf "\nmemory bytes/key: redis %s, engine %s, ratio %.3f (target <= 1.2)\n", mem["redis"], mem["engine"], mem["engine"] / mem["redis"]
  if (nall) printf "\nworst test: %s at %.3f (target >= 0.8)\nGEOMEAN engine/redis = %.3f over %d test x pipeline pairs\n", worstname, worst, exp(all / nall), nall
}' "$raw"
[ -n "${KEEP:-}" ] && echo "# raw results: $raw"
# Collections (hash, list, set, sorted set throughput and memory) against
# the same servers: hack/bench-collections.sh; COLL=0 skips it.
[ "${COLL:-1}" = 1 ] && hack/bench-collections.sh "$eport" "$epid" "$rport" "$rpid"
# Streams and scripting (XADD, XREADGROUP+XACK, EVALSHA): SS=0 skips it.
[ "${SS:-1}" = 1 ] && hack/bench-streams-scripting.sh "$eport" "$rport"
# Persistence (AOF throughput, RDB load, BGSAVE time and memory) on servers
# of its own: hack/bench-persistence.sh; PERSIST=0 skips it.
[ "${PERSIST:-1}" = 1 ] && hack/bench-persistence.sh
exit 0
