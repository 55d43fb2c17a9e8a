#!/usr/bin/env bash
# Starts Azurite (blob, queue, table) on the default ports unless one already answers.
# Usage: scripts/azurite.sh <data-dir> <log-file>
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
data=${1:-$root/.azurite}
log=${2:-$data/azurite.log}
mkdir -p "$data"
if (exec 3<>/dev/tcp/127.0.0.1/10002) 2>/dev/null; then
  echo "Azurite already answers on 127.0.0.1:10002"
  exit 0
fi
[ -x "$root/node_modules/.bin/azurite" ] || (cd "$root" && npm ci --no-audit --no-fund >/dev/null)
nohup "$root/node_modules/.bin/azurite" --silent --skipApiVersionCheck --loose \
  --location "$data" --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 >"$log" 2>&1 &
echo $! > "$data/azurite.pid"
for _ in $(seq 1 60); do
  if (exec 3<>/dev/tcp/127.0.0.1/10002) 2>/dev/null; then echo "Azurite started (pid $(cat "$data/azurite.pid"), data in $data)"; exit 0; fi
  sleep 0.5
done
echo "Azurite did not start; see $log" >&2
exit 1
