#!/usr/bin/env bash
# Stops the Azurite and smtp4dev that scripts/run.sh started.
root=$(cd "$(dirname "$0")/.." && pwd)
for pidfile in "$root/.azurite/azurite.pid" "$root/.smtp4dev/smtp4dev.pid"; do
  [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null && rm -f "$pidfile"
done
echo "stopped"
