#!/usr/bin/env bash
# Stops what up.sh started (agent first, then controller, then the demo service), each
# with SIGTERM so it drains, waiting up to 15 s for each to exit.
set -uo pipefail
source "$(dirname "$0")/env.sh"
DIR="$FERRY_LOCAL_DIR"
status=0
# Running, and not a zombie waiting for its (already gone) parent to collect it.
alive() {
  kill -0 "$1" 2>/dev/null || return 1
  [ -r "/proc/$1/stat" ] || return 0  # no /proc (macOS): kill -0 is all we have
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ $stat != Z* ]]
}
for name in agent controller demo; do
  pidfile="$DIR/$name.pid"
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  if alive "$pid"; then
    kill -TERM "$pid"
    for _ in $(seq 1 75); do
      alive "$pid" || break
      sleep 0.2
    done
    if alive "$pid"; then
      echo "down.sh: $name (pid $pid) did not stop in 15 s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null
      status=1
    fi
  fi
  rm -f "$pidfile"
done
exit $status
