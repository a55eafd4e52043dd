#!/usr/bin/env bash
# Runs a whole ferry installation on this machine without containers: a CA (ferry
# make-ca), a controller, an agent and a demo service, each a background process with
# its log and pid in $FERRY_LOCAL_DIR. Waits until both programs say they are ready,
# then fetches a service token from the control API. Stop everything with down.sh.
set -euo pipefail
source "$(dirname "$0")/env.sh"
DIR="$FERRY_LOCAL_DIR"

if [ ! -f "$FERRY_ROOT/dist/src/cli/main.js" ]; then
  echo "up.sh: build first: (cd $FERRY_ROOT && npm run build)" >&2
  exit 1
fi
mkdir -p "$DIR"

if [ ! -f "$DIR/ca.crt" ]; then
  "${FERRY[@]}" make-ca --out "$DIR" --agent "$AGENT_NAME" --control admin >/dev/null
fi

cat >"$DIR/controller.yaml" <<YAML
# Written by examples/local/up.sh; paths are relative to this file.
ca: { cert: ca.crt, key: ca.key }
agents:    { listen: "127.0.0.1:$AGENTS_PORT" }
frontDoor: { listen: "127.0.0.1:$FRONT_DOOR_PORT", serverNames: [localhost, 127.0.0.1], publicUrl: "https://localhost:$FRONT_DOOR_PORT" }
control:   { listen: "127.0.0.1:$CONTROL_PORT" }
metrics:   { listen: "127.0.0.1:$CONTROLLER_METRICS_PORT" }
shutdown:  { grace: 10s }
YAML

cat >"$DIR/agent.yaml" <<YAML
# Written by examples/local/up.sh; paths are relative to this file.
controller: { address: "127.0.0.1:$AGENTS_PORT", serverName: localhost }
tls: { cert: agent-$AGENT_NAME.crt, key: agent-$AGENT_NAME.key, ca: ca.crt }
metrics: { listen: "127.0.0.1:$AGENT_METRICS_PORT" }
shutdown: { grace: 10s }
services:
  - { type: x-demo, name: hello, url: "http://127.0.0.1:$DEMO_PORT" }
YAML

"${FERRY[@]}" controller --check-config --config "$DIR/controller.yaml" >/dev/null
"${FERRY[@]}" agent --check-config --config "$DIR/agent.yaml" >/dev/null

# start NAME COMMAND...: runs it in the background, logging to NAME.log, pid in NAME.pid.
start() {
  local name=$1
  shift
  if [ -f "$DIR/$name.pid" ] && kill -0 "$(cat "$DIR/$name.pid")" 2>/dev/null; then
    echo "up.sh: $name is already running (pid $(cat "$DIR/$name.pid")); run down.sh first" >&2
    exit 1
  fi
  "$@" >"$DIR/$name.log" 2>&1 &
  echo $! >"$DIR/$name.pid"
}

# wait_ready NAME URL: polls a health endpoint for up to 30 s.
wait_ready() {
  for _ in $(seq 1 150); do
    if curl -fsS -o /dev/null "$2" 2>/dev/null; then return 0; fi
    if ! kill -0 "$(cat "$DIR/$1.pid")" 2>/dev/null; then
      echo "up.sh: $1 exited; last lines of $DIR/$1.log:" >&2
      tail -n 20 "$DIR/$1.log" >&2
      exit 1
    fi
    sleep 0.2
  done
  echo "up.sh: $1 not ready at $2 after 30 s" >&2
  exit 1
}

start demo env PORT="$DEMO_PORT" HOST=127.0.0.1 node "$EXAMPLE_DIR/demo-upstream.mjs"
start controller "${FERRY[@]}" controller --config "$DIR/controller.yaml"
wait_ready controller "http://127.0.0.1:$CONTROLLER_METRICS_PORT/readyz"
start agent "${FERRY[@]}" agent --config "$DIR/agent.yaml"
wait_ready agent "http://127.0.0.1:$AGENT_METRICS_PORT/readyz"

# A service credential for the demo service, issued by the control API to the operator
# certificate make-ca wrote; the token goes to a 0600 file, never to the terminal.
umask 077
curl -fsS --cacert "$DIR/ca.crt" --cert "$DIR/control-admin.crt" --key "$DIR/control-admin.key" \
  -H 'content-type: application/json' \
  -d "{\"agent\":\"$AGENT_NAME\",\"type\":\"x-demo\",\"name\":\"hello\"}" \
  "https://localhost:$CONTROL_PORT/api/v1/credentials/service" |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).token))' >"$DIR/demo.token"

cat <<TEXT
ferry is running (files, logs and pids in $DIR):
  controller  front door https://localhost:$FRONT_DOOR_PORT  metrics http://127.0.0.1:$CONTROLLER_METRICS_PORT/metrics
  agent       "$AGENT_NAME"                             metrics http://127.0.0.1:$AGENT_METRICS_PORT/metrics
  demo        http://127.0.0.1:$DEMO_PORT (reached only through the agent)
Try:
  $EXAMPLE_DIR/curl.sh /hello
  curl --cacert $DIR/ca.crt -H "X-Ferry-Token: \$(cat $DIR/demo.token)" https://localhost:$FRONT_DOOR_PORT/hello
Stop:
  $EXAMPLE_DIR/down.sh
TEXT
