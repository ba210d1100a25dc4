#!/usr/bin/env bash
# Persistence benchmarks (issue 6), run by hack/bench.sh (PERSIST=0 skips
# them). Each figure is engine / redis-server measured in the same run,
# the two servers alternating first/second between rounds:
#
#   SET_AOF     SET throughput with appendonly yes, appendfsync everysec
#               (redis-benchmark -t set, -P 1 and -P 16). Target >= 1.0.
#   LOAD_1M     time to load an RDB of 1,000,000 keys (written by
#               redis-server's DEBUG POPULATE, 32-byte values), from each
#               server's own "DB loaded from disk: N seconds" log line.
#               Target <= 1.0. LOAD_1M CPU is the CPU time each process
#               had used once loaded (start-up included), which a busy
#               shared machine disturbs much less than wall time.
#   BGSAVE_1M   BGSAVE of those 1M keys while redis-benchmark overwrites
#               random keys of the same keyspace: wall time, and peak extra
#               memory. Redis's extra memory is its fork's copy-on-write
#               (INFO rdb_last_cow_size) plus any growth of the parent; the
#               engine's is its peak RSS during the save minus its peak RSS
#               over the 2 s of the same load before it. Target <= 1.5.
#
# Environment: ROUNDS [3] ENGINE [bin/redisctl] REDIS [redis-server]
# PERSIST_REQUESTS [200000] KEEP [unset: directory for raw results]
set -u
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3} ENGINE=${ENGINE:-bin/redisctl} REDIS=${REDIS:-redis-server}
N=${PERSIST_REQUESTS:-200000}
work=$(mktemp -d /tmp/redisctl-bench-persist.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
raw=${KEEP:-$work}/persistence.csv
mkdir -p "$(dirname "$raw")"; : > "$raw"

die() { echo "bench-persistence: $*" >&2; exit 1; }
. hack/bench-lib.sh
info() { redis-cli -p "$1" info persistence | tr -d '\r' | awk -F: -v k="$2" '$1 == k { print $2 }'; }
rss() { awk '/^VmRSS/ { print $2 * 1024 }' "/proc/$1/status" 2>/dev/null || echo 0; }
tck=$(getconf CLK_TCK)
# cpu PID: seconds of CPU (user + system, all threads) the process used.
cpu() { awk -v t="$tck" '{ printf "%.3f", ($14 + $15) / t }' "/proc/$1/stat"; }

# start NAME DIR ARGS... starts a server, sets $port and $pid. A port can
# be taken between the check and the bind (the machine is shared): retry.
start() {
  local name=$1 dir=$2 attempt; shift 2
  mkdir -p "$dir"
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    if [ "$name" = engine ]; then
      "$ENGINE" server --port "$port" --bind 127.0.0.1 --dir "$dir" --logfile "$dir/log" "$@" >/dev/null 2>&1 &
    else
      "$REDIS" --port "$port" --bind 127.0.0.1 --dir "$dir" --logfile "$dir/log" "$@" >/dev/null 2>&1 &
    fi
    pid=$!
    pids+=("$pid")
    wait_ping "$port" "$pid" && return 0
  done
  die "$name did not start: $(tail -3 "$dir/log" 2>/dev/null)"
}
stop() { redis-cli -p "$1" shutdown nosave >/dev/null 2>&1; wait "$2" 2>/dev/null; }

# 1. SET throughput with the AOF on.
for r in $(seq "$ROUNDS"); do
  order="redis engine"; [ $((r % 2)) = 0 ] && order="engine redis"
  for s in $order; do
    rm -rf "$work/aof-$s"
    start "$s" "$work/aof-$s" --save "" --appendonly yes --appendfsync everysec
    for P in 1 16; do
      line=$(redis-benchmark -p "$port" -t set -n "$N" -c 50 -r 100000 -P "$P" --csv 2>/dev/null | grep '^"SET"')
      rps=$(printf '%s' "$line" | awk -F'","' '{ gsub(/"/, "", $2); print $2 }')
      echo "set_aof_p$P,$s,$r,$rps" >> "$raw"
    done
    stop "$port" "$pid"
  done
done

# The 1M-key RDB, written by redis-server.
start redis "$work/gen" --save "" --appendonly no --enable-debug-command local
redis-cli -p "$port" debug populate 1000000 key 32 >/dev/null
redis-cli -p "$port" save >/dev/null
stop "$port" "$pid"
[ -s "$work/gen/dump.rdb" ] || die "could not write the 1M-key RDB"

# 2. Load time, and 3. BGSAVE under a write load, on the loaded servers.
for r in $(seq "$ROUNDS"); do
  order="redis engine"; [ $((r % 2)) = 0 ] && order="engine redis"
  for s in $order; do
    d="$work/load-$s"
    rm -rf "$d"; mkdir -p "$d"; cp "$work/gen/dump.rdb" "$d/"
    start "$s" "$d" --save "" --appendonly no
    secs=$(grep -o 'DB loaded from disk: [0-9.]* seconds' "$d/log" | awk '{ print $5 }')
    echo "load_1m,$s,$r,$secs" >> "$raw"
    echo "load_1m_cpu,$s,$r,$(cpu "$pid")" >> "$raw"
    [ "$(redis-cli -p "$port" dbsize)" = 1000000 ] || die "$s loaded $(redis-cli -p "$port" dbsize) keys"

    redis-benchmark -p "$port" -t set -n 100000000 -c 8 -r 1000000 -d 32 -P 1 >/dev/null 2>&1 &
    load=$!
    base=0
    for _ in $(seq 40); do v=$(rss "$pid"); [ "$v" -gt "$base" ] && base=$v; sleep 0.05; done
    before=$(info "$port" rdb_saves)
    t0=$(date +%s.%N)
    redis-cli -p "$port" bgsave >/dev/null
    peak=$base
    while :; do
      v=$(rss "$pid"); [ "$v" -gt "$peak" ] && peak=$v
      [ "$(info "$port" rdb_bgsave_in_progress)" = 0 ] && [ "$(info "$port" rdb_saves)" != "$before" ] && break
      sleep 0.01
    done
    t1=$(date +%s.%N)
    kill "$load"; wait "$load" 2>/dev/null
    [ "$(info "$port" rdb_last_bgsave_status)" = ok ] || die "$s: BGSAVE failed"
    extra=$((peak - base))
    if [ "$s" = redis ]; then extra=$((extra + $(info "$port" rdb_last_cow_size))); fi
    echo "bgsave_1m_time,$s,$r,$(echo "$t1 - $t0" | bc)" >> "$raw"
    echo "bgsave_1m_mem,$s,$r,$extra" >> "$raw"
    stop "$port" "$pid"
  done
done

awk -F, '
{ v[$1, $2, $3] = $4; names[$1] = 1; if ($3 > rounds) rounds = $3 }
END {
  split("set_aof_p1 set_aof_p16 load_1m load_1m_cpu bgsave_1m_time bgsave_1m_mem", order, " ")
  label["set_aof_p1"] = "SET_AOF -P 1 (ops/s)"; target["set_aof_p1"] = ">= 1.0"
  label["set_aof_p16"] = "SET_AOF -P 16 (ops/s)"; target["set_aof_p16"] = ">= 1.0"
  label["load_1m"] = "LOAD_1M (s)"; target["load_1m"] = "<= 1.0"
  label["load_1m_cpu"] = "LOAD_1M CPU (s)"; target["load_1m_cpu"] = "-"
  label["bgsave_1m_time"] = "BGSAVE_1M time (s)"; target["bgsave_1m_time"] = "-"
  label["bgsave_1m_mem"] = "BGSAVE_1M extra mem (MB)"; target["bgsave_1m_mem"] = "<= 1.5"
  printf "\n== persistence\n%-26s %12s %12s %7s %13s %8s\n", "test", "redis", "engine", "ratio", "[min..max]", "target"
  for (i = 1; i <= 6; i++) {
    t = order[i]; if (!(t in names)) continue
    lr = 0; m = 0; lo = 1e9; hi = 0; rs = 0; es = 0
    for (r = 1; r <= rounds; r++) {
      a = v[t, "redis", r]; b = v[t, "engine", r]
      if (a == "" || b == "") continue
      rs += a; es += b
      if (a <= 0) a = 1e-9
      q = (b <= 0 ? 1e-9 : b) / a; lr += log(q); m++; if (q < lo) lo = q; if (q > hi) hi = q
    }
    if (!m) { printf "%-26s %12s %12s %7s\n", label[t], "n/a", "n/a", "n/a"; continue }
    scale = (t == "bgsave_1m_mem") ? 1048576 : 1
    fmt = (t ~ /set_aof/) ? "%-26s %12.0f %12.0f %7.3f %13s %8s\n" : "%-26s %12.3f %12.3f %7.3f %13s %8s\n"
    printf fmt, label[t], rs / m / scale, es / m / scale, exp(lr / m), sprintf("[%.2f..%.2f]", lo, hi), target[t]
  }
}' "$raw"
[ -n "${KEEP:-}" ] && echo "# raw results: $raw"
exit 0
