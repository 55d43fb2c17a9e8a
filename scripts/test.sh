#!/usr/bin/env bash
# Runs every test: unit, orchestration (in-process engine), integration (Azurite, SMTP on loopback) and
# end-to-end (the devhost over HTTP). Installs what it needs (npm ci for Azurite, dotnet tool restore),
# starts Azurite when none answers and stops what it started.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

echo "==> Tools"
dotnet tool restore >/dev/null
[ -x node_modules/.bin/azurite ] || npm ci --no-audit --no-fund >/dev/null
# Debian's Chromium for the page tests (Playwright drives it; Playwright's own browser download fails here).
if [ ! -x /usr/bin/chromium ]; then
  echo "==> Chromium (apt)"
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
# The Bicep CLI (NuGet package, into tools/bicep/packages, not committed) for the infra/ tests.
dotnet restore tools/bicep/Bicep.Tools.csproj -nologo -v q

started_azurite=""
if ! port_open 10002; then
  data=$(mktemp -d /tmp/behorighetsportal-azurite.XXXXXX)
  scripts/azurite.sh "$data" "$data/azurite.log"
  started_azurite="$data"
fi
cleanup() {
  if [ -n "$started_azurite" ] && [ -f "$started_azurite/azurite.pid" ]; then
    kill "$(cat "$started_azurite/azurite.pid")" 2>/dev/null || true
  fi
}
trap cleanup EXIT

echo "==> Build"
dotnet build Behorighetsportal.sln -c Release -nologo -clp:ErrorsOnly

echo "==> Test"
results=$(mktemp -d /tmp/behorighetsportal-tests.XXXXXX)
# Screenshots of every page at desktop and phone width, beside the results, for a reviewer to look at.
export PORTAL_SCREENSHOTS="$results/screenshots"
set +e
# A test that hangs (a stuck orchestration) fails the run with a dump after 15 minutes instead of using up CI's time.
dotnet test tests/Behorighetsportal.Tests/Behorighetsportal.Tests.csproj -c Release --no-build -nologo \
  --blame-hang-timeout 15m --blame-hang-dump-type none \
  --logger "console;verbosity=normal" --logger "trx;LogFileName=results.trx" --results-directory "$results" "$@"
status=$?
set -e

# One closing line any CI reads: "N passed, N failed, N skipped". Errored, timed-out and aborted tests count as
# failed; a run that wrote no results (the test host crashed) is one failure.
trx=$(find "$results" -name results.trx -print -quit)
if [ -n "$trx" ]; then
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  value() { v=$(echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'); echo "${v:-0}"; }
  failed=$(( $(value failed) + $(value error) + $(value timeout) + $(value aborted) ))
  skipped=$(( $(value notExecuted) + $(value inconclusive) + $(value notRunnable) ))
  echo "$(value passed) passed, ${failed} failed, ${skipped} skipped"
else
  echo "0 passed, 1 failed, 0 skipped (no test results were written)"
  [ "$status" -ne 0 ] || status=1
fi
echo "Results and page screenshots: $results"
exit $status
