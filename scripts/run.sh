#!/usr/bin/env bash
# Runs Behörighetsportal locally: Azurite (data in .azurite/), smtp4dev (web inbox), and the devhost on
# http://localhost:7071 with the demo organisation. Ctrl+C stops the devhost; Azurite and smtp4dev keep
# running for the next start (stop them with scripts/stop.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

echo "==> Tools (dotnet tool restore, npm ci)"
dotnet tool restore >/dev/null
[ -x node_modules/.bin/azurite ] || npm ci --no-audit --no-fund >/dev/null

echo "==> Azurite"
scripts/azurite.sh "$root/.azurite" "$root/.azurite/azurite.log"

echo "==> smtp4dev"
mkdir -p .smtp4dev
if port_open 2525; then
  echo "An SMTP server already answers on 127.0.0.1:2525"
else
  nohup dotnet smtp4dev --urls=http://127.0.0.1:5025 --smtpport=2525 --imapport= --pop3port= \
    --db="$root/.smtp4dev/db.sqlite" >"$root/.smtp4dev/smtp4dev.log" 2>&1 &
  echo $! > .smtp4dev/smtp4dev.pid
  for _ in $(seq 1 60); do port_open 2525 && break; sleep 0.5; done
  port_open 2525 || { echo "smtp4dev did not start; see .smtp4dev/smtp4dev.log" >&2; exit 1; }
fi

# A signing key of this checkout's own, kept so email links survive a restart of the devhost.
mkdir -p .devhost
[ -s .devhost/signing-key ] || head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > .devhost/signing-key
export Links__SigningKey="$(cat .devhost/signing-key)"
export AzureWebJobsStorage="UseDevelopmentStorage=true"
export ASPNETCORE_ENVIRONMENT=Development

cat <<INFO

  Behörighetsportal devhost
  - API:         http://localhost:7071/api/health
  - Sign in:     http://localhost:7071/dev/sign-in   (act as a demo person in the browser)
  - Inbox:       http://127.0.0.1:5025               (smtp4dev: approval and password emails)
  - Storage:     Azurite on 127.0.0.1:10000-10002, data in .azurite/
  - System keys (x-functions-key): KiV dev-kiv-key, Marknadsplatsen dev-marknadsplatsen-key

INFO
exec dotnet run --project devhost/Behorighetsportal.DevHost.csproj --no-launch-profile --urls http://localhost:7071
