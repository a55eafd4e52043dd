# Settings shared by the examples/local scripts; every one can be overridden from the
# environment (the CI test picks free ports and a temporary directory).
# shellcheck shell=bash
EXAMPLE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
FERRY_ROOT="$(cd "$EXAMPLE_DIR/../.." && pwd)"
FERRY=(env MALLOC_MMAP_THRESHOLD_=1048576 MALLOC_TRIM_THRESHOLD_=33554432 node --initial-old-space-size=64 "$FERRY_ROOT/bin/ferry")   # see bin/ferry

: "${FERRY_LOCAL_DIR:=$FERRY_ROOT/certs/local}"   # CA, certificates, configs, logs, pids
: "${AGENT_NAME:=demo}"
: "${AGENTS_PORT:=9001}"           # controller: agents' mTLS gRPC
: "${FRONT_DOOR_PORT:=9002}"       # controller: clients' HTTPS
: "${CONTROL_PORT:=9003}"          # controller: control API
: "${CONTROLLER_METRICS_PORT:=9102}"
: "${AGENT_METRICS_PORT:=9103}"    # the agent's own ops port (9102 is the controller's on this machine)
: "${DEMO_PORT:=8080}"             # the demo service the agent reaches
export FERRY_LOCAL_DIR AGENT_NAME AGENTS_PORT FRONT_DOOR_PORT CONTROL_PORT CONTROLLER_METRICS_PORT AGENT_METRICS_PORT DEMO_PORT
