#!/usr/bin/env bash
# curl through the tunnel to the demo service: curl.sh [PATH] [curl options...]
set -euo pipefail
source "$(dirname "$0")/env.sh"
DIR="$FERRY_LOCAL_DIR"
path=${1:-/}
shift || true
# The token travels in a header read from a file, so it is not in the process list.
exec curl -fsS --cacert "$DIR/ca.crt" -H @<(printf 'X-Ferry-Token: %s\n' "$(cat "$DIR/demo.token")") "$@" "https://localhost:$FRONT_DOOR_PORT$path"
