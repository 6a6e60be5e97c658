# Shared by the sandbox scripts: paths, logging, pid files, free ports, process control.
# Sourced, never run.

SANDBOX_LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SANDBOX_SCRIPTS="$(dirname "$SANDBOX_LIB")"
REPO_ROOT="$(cd "$SANDBOX_SCRIPTS/../.." && pwd)"
SANDBOX_DIR="${SANDBOX_DIR:-$REPO_ROOT/.sandbox}"
RUN_DIR="$SANDBOX_DIR/run"
LOG_DIR="$SANDBOX_DIR/logs"
PKI_DIR="$SANDBOX_DIR/pki"
ENV_FILE="$SANDBOX_DIR/env"
KUBECONFIG_FILE="$SANDBOX_DIR/kubeconfig"
TOKENS_FILE="$SANDBOX_DIR/tokens.csv"
SHARED_DIR="${KPGO_SHARED_DIR:-$(cd "$REPO_ROOT/.." && pwd)/shared}"

# SANDBOX_LOG_TAG names the part speaking (the pods and operator hooks source this file too).
log() { printf '[%s %s] %s\n' "${SANDBOX_LOG_TAG:-sandbox}" "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Milliseconds since the epoch, for the timings printed by up/down.
now_ms() { date +%s%3N; }

bin_dirs() {
  KUBE_BIN_DIR="$(bash "$SANDBOX_SCRIPTS/build-bins.sh" --path kubernetes)"
  ETCD_BIN_DIR="$(bash "$SANDBOX_SCRIPTS/build-bins.sh" --path etcd)"
}

# Prints N distinct free loopback ports. The kernel picks them; a race with another process
# taking one before we bind is possible but shows up as a clear start failure in the log.
free_ports() {
  node -e '
    const net = require("net");
    const n = Number(process.argv[1]); const servers = []; const ports = [];
    const next = () => {
      if (ports.length === n) { console.log(ports.join(" ")); servers.forEach((s) => s.close()); return; }
      const s = net.createServer(); servers.push(s);
      s.listen(0, "127.0.0.1", () => { ports.push(s.address().port); next(); });
    };
    next();' "$1"
}

pid_file() { echo "$RUN_DIR/$1.pid"; }

# The pid of a named process while it still runs what we started: run/NAME.bin, when present,
# names a string of its command line or its executable's path (guards against pid reuse).
running_pid() {
  local name="$1" pf pid cmdline want
  pf="$(pid_file "$name")"
  [ -f "$pf" ] || return 1
  pid="$(cat "$pf")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  want="$(cat "$RUN_DIR/$name.bin" 2>/dev/null)"
  if [ -n "$want" ]; then
    cmdline="$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null)"
    [[ "$cmdline" == *"$want"* ]] || [ "$(readlink -f "/proc/$pid/exe" 2>/dev/null)" = "$(readlink -f "$want" 2>/dev/null)" ] || return 1
  fi
  echo "$pid"
}

# start_process NAME BINARY ARGS... - detached (own session) so the caller's signals do not
# reach it; output to logs/NAME.log; pid, binary and start time to run/.
start_process() {
  local name="$1" bin="$2"; shift 2
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  setsid "$bin" "$@" >>"$LOG_DIR/$name.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" > "$(pid_file "$name")"
  echo "$bin" > "$RUN_DIR/$name.bin"
  date -u +%Y-%m-%dT%H:%M:%SZ > "$RUN_DIR/$name.started"
}

# stop_process NAME [TIMEOUT_S] - SIGTERM, wait, SIGKILL after the timeout; removes its run files.
stop_process() {
  local name="$1" timeout="${2:-20}" pid i
  if pid="$(running_pid "$name")"; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < timeout * 10; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name (pid $pid) still runs after ${timeout} s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    log "$name stopped (pid $pid)"
  fi
  rm -f "$RUN_DIR/$name.pid" "$RUN_DIR/$name.bin" "$RUN_DIR/$name.started"
}

# wait_until TIMEOUT_S DESCRIPTION COMMAND... - polls COMMAND every 0.2 s.
wait_until() {
  local timeout="$1" what="$2"; shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || { log "timed out after ${timeout} s waiting for $what"; return 1; }
    sleep 0.2
  done
}

rss_mb() { awk '/^VmRSS:/ {printf "%d", $2 / 1024}' "/proc/$1/status" 2>/dev/null; }
