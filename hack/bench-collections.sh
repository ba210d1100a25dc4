#!/usr/bin/env bash
# Collection benchmarks (issue 4), run by hack/bench.sh after its string
# matrix against the same two servers:
#
#   hack/bench-collections.sh ENGINE_PORT ENGINE_PID REDIS_PORT REDIS_PID
#
# Throughput: each test runs on both servers back to back, the order
# alternating between rounds, and the report gives the geometric mean of
# the per-round engine/redis ratios (same method as bench.sh):
#   LRANGE_100/300/600  redis-benchmark's own tests (a 600-element list)
#   HSET_10F            HSET of 10 fields into 100k hashes
#   HGETALL_10F         HGETALL of those 10-field hashes
#   ZADD_1K             ZADD into one sorted set of (up to) 1,000 members
#   ZRANGE_100_OF_1K    ZRANGE 100..199 WITHSCORES of that set
#   SADD_100            SADD into 100 sets of (up to) 100 members
#   SMEMBERS_100        SMEMBERS of those sets
# Memory: RSS growth after loading, through redis-cli --pipe, a hash of 1M
# fields, a sorted set of 100k members and 1M hashes of 5 fields, each on a
# fresh pair of servers (ENGINE [bin/redisctl] and REDIS [redis-server]).
#
# Environment: ROUNDS [3] CLIENTS [50] PIPELINES ["1 16"] COLL_REQUESTS
# [100000] (heavy tests use a quarter) COLL_MEM [1] KEEP [unset: raw CSV dir]
set -u
EPORT=$1 EPID=$2 RPORT=$3 RPID=$4
ROUNDS=${ROUNDS:-3} CLIENTS=${CLIENTS:-50} PIPELINES=${PIPELINES:-"1 16"}
N=${COLL_REQUESTS:-100000} MEM=${COLL_MEM:-1}
work=$(mktemp -d /tmp/redisctl-bench-coll.XXXXXX)
trap 'rm -rf "$work"' EXIT
raw=${KEEP:-$work}/collections.csv
mkdir -p "$(dirname "$raw")"; : > "$raw"

v=xxxxxxxxxx
fields=""
for i in $(seq 10); do fields="$fields f$i $v"; done
# name|requests|keyspace|command (a -t test when it has no spaces)
tests="lrange_100|$N|100000|lrange_100
lrange_300|$((N / 4))|100000|lrange_300
lrange_600|$((N / 4))|100000|lrange_600
hset_10f|$N|100000|HSET h10:__rand_int__$fields
hgetall_10f|$N|100000|HGETALL h10:__rand_int__
zadd_1k|$N|1000|ZADD z1k __rand_int__ m:__rand_int__
zrange_100_of_1k|$N|1000|ZRANGE z1k 100 199 WITHSCORES
sadd_100|$N|100|SADD s100:__rand_int__ m:__rand_int__
smembers_100|$((N / 4))|100|SMEMBERS s100:__rand_int__"

# run SERVER PORT ROUND PIPELINE NAME REQUESTS KEYSPACE COMMAND appends
# "server,round,P,name,rps,p50,p99".
run() {
  local out line cmd=$8
  if [[ $cmd == *" "* ]]; then
    # shellcheck disable=SC2086
    out=$(timeout 300 redis-benchmark -p "$2" -n "$6" -c "$CLIENTS" -r "$7" -P "$4" --csv $cmd 2>/dev/null)
  else
    out=$(timeout 300 redis-benchmark -p "$2" -t "$cmd" -n "$6" -c "$CLIENTS" -r "$7" -P "$4" --csv 2>/dev/null)
  fi
  line=$(printf '%s\n' "$out" | grep -v '^"test"' | grep -iv 'needed to benchmark' | grep '^"' | head -1)
  if [ -z "$line" ]; then echo "$1,$3,$4,$5,,," >> "$raw"; return; fi
  printf '%s\n' "$line" | awk -F'","' -v s="$1" -v r="$3" -v p="$4" -v t="$5" \
    '{gsub(/"/, "", $2); gsub(/"/, "", $5); gsub(/"/, "", $7); print s "," r "," p "," t "," $2 "," $5 "," $7}' >> "$raw"
}

for round in $(seq "$ROUNDS"); do
  for p in $PIPELINES; do
    redis-cli -p "$EPORT" flushall >/dev/null; redis-cli -p "$RPORT" flushall >/dev/null
    while IFS='|' read -r name n k cmd; do
      if [ $((round % 2)) -eq 1 ]; then
        run redis "$RPORT" "$round" "$p" "$name" "$n" "$k" "$cmd"; run engine "$EPORT" "$round" "$p" "$name" "$n" "$k" "$cmd"
      else
        run engine "$EPORT" "$round" "$p" "$name" "$n" "$k" "$cmd"; run redis "$RPORT" "$round" "$p" "$name" "$n" "$k" "$cmd"
      fi
    done <<< "$tests"
  done
  echo "# collections round $round/$ROUNDS done ($(cut -d' ' -f1 /proc/loadavg) load)" >&2
done

# gen MODE writes a dataset as RESP commands.
gen() {
  awk -v mode="$1" '
  function cmd(n, a,   i, s) { s = "*" n "\r\n"; for (i = 1; i <= n; i++) s = s "$" length(a[i]) "\r\n" a[i] "\r\n"; return s }
  BEGIN {
    if (mode == "hash_1m_fields") for (i = 0; i < 1000000; i++) { a[1]="HSET"; a[2]="bighash"; a[3]="field:" i; a[4]="v" i; printf "%s", cmd(4, a) }
    if (mode == "zset_100k") for (i = 0; i < 100000; i++) { a[1]="ZADD"; a[2]="bigzset"; a[3]=(i*1.5) ""; a[4]="member:" i; printf "%s", cmd(4, a) }
    if (mode == "hashes_1m_x5") for (i = 0; i < 1000000; i++) { a[1]="HSET"; a[2]="user:" i; a[3]="name"; a[4]="user" i; a[5]="email"; a[6]="u" i "@example.com"; a[7]="age"; a[8]=(i%90) ""; a[9]="city"; a[10]="Paris"; a[11]="visits"; a[12]=(i%1000) ""; printf "%s", cmd(12, a) }
  }'
}
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
. "$(dirname "$0")/bench-lib.sh"
# Memory is measured on fresh servers, one dataset at a time, so memory a
# runtime keeps after a FLUSHALL cannot distort the next dataset.
if [ "$MEM" = 1 ]; then
  for ds in hash_1m_fields zset_100k hashes_1m_x5; do
    for who in redis engine; do
      started=0
      for _attempt in 1 2 3 4 5; do
        port=$(free_port); mkdir -p "$work/$who-$ds"
        if [ $who = redis ]; then
          "${REDIS:-redis-server}" --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work/$who-$ds" \
            --logfile "$work/$who-$ds/log" --daemonize no >/dev/null 2>&1 &
        else
          "${ENGINE:-bin/redisctl}" server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work/$who-$ds" \
            --logfile "$work/$who-$ds/log" >/dev/null 2>&1 &
        fi
        pid=$!
        for _ in $(seq 100); do
          [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] && { started=1; break; }
          kill -0 "$pid" 2>/dev/null || break
          sleep 0.1
        done
        [ $started = 1 ] && break
        kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
      done
      if [ $started = 0 ]; then
        echo "bench-collections: $who did not start for $ds:" >&2; tail -5 "$work/$who-$ds/log" >&2
        echo "mem,$who,$ds,," >> "$raw"; continue
      fi
      sleep 1
      before=$(rss_kb "$pid")
      gen "$ds" | redis-cli -p "$port" --pipe >/dev/null 2>&1
      sleep 2
      after=$(rss_kb "$pid" 2>/dev/null)
      [ -n "$after" ] || { echo "bench-collections: $who exited loading $ds:" >&2; tail -20 "$work/$who-$ds/log" >&2; }
      echo "mem,$who,$ds,$before,$after" >> "$raw"
      kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
    done
  done
fi

awk -F, -v pipes="$PIPELINES" -v tests="$(cut -d'|' -f1 <<< "$tests" | paste -sd,)" '
function med(a, n,   i, j, t) { for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j+1] = a[j]; a[j+1] = t }
  return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2 }
$1 == "mem" { if ($4 != "" && $5 != "") grow[$2, $3] = $5 - $4; ds[$3] = 1; next }
{ k = $3 SUBSEP $4 SUBSEP $2; rps[$1, k] = $5; if ($2 > rounds) rounds = $2 }
END {
  np = split(pipes, P, " "); nt = split(tests, T, ",")
  all = 0; nall = 0
  for (pi = 1; pi <= np; pi++) {
    printf "\n== collections -P %s\n%-18s %10s %10s %7s %13s\n", P[pi], "test", "redis/s", "engine/s", "ratio", "[min..max]"
    sum = 0; n = 0
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
      if (m == 0) { printf "%-18s %10s %10s %7s\n", toupper(t), "n/a", "n/a", "n/a"; continue }
      g = exp(lr / m); sum += log(g); n++; all += log(g); nall++
      printf "%-18s %10.0f %10.0f %7.3f %13s\n", toupper(t), med(R, nr), med(E, ne), g, sprintf("[%.2f..%.2f]", lo, hi)
    }
    if (n) printf "geomean collections -P %s: %.3f over %d tests\n", P[pi], exp(sum / n), n
  }
  if (length(ds)) {
    printf "\n== collections memory: RSS growth (MB)\n%-16s %10s %10s %7s\n", "dataset", "redis", "engine", "ratio"
    split("hash_1m_fields zset_100k hashes_1m_x5", D, " ")
    for (i = 1; i <= 3; i++) {
      if (!(D[i] in ds)) continue
      if (grow["redis", D[i]] > 0 && (("engine", D[i]) in grow))
        printf "%-16s %10.1f %10.1f %7.3f\n", D[i], grow["redis", D[i]] / 1024, grow["engine", D[i]] / 1024, grow["engine", D[i]] / grow["redis", D[i]]
      else
        printf "%-16s %10s %10s %7s\n", D[i], "n/a", "n/a", "n/a"
    }
  }
  if (nall) printf "\nGEOMEAN collections engine/redis = %.3f over %d test x pipeline pairs\n", exp(all / nall), nall
}' "$raw"
[ -n "${KEEP:-}" ] && echo "# raw collection results: $raw"
exit 0
