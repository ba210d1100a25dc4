# Shared by the bench scripts (sourced): finding a port and waiting for a
# server to answer.

# free_port prints a 127.0.0.1 port nobody listens on, below Linux's
# ephemeral range (32768-60999), so client sockets cannot be holding it.
free_port() {
  local p
  for p in $(shuf -i 21000-32000 -n 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
  echo "bench: no free port" >&2
  exit 1
}

# wait_ping PORT PID: true once the server answers PING (within 60 s),
# false if it exited or never answered.
wait_ping() {
  for _ in $(seq 1200); do
    [ "$(redis-cli -p "$1" ping 2>/dev/null)" = PONG ] && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}
