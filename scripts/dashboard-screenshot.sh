#!/usr/bin/env bash
# Brings up the stack exactly as the README does (`dotnet run --project AppHost`), sends an agent request through
# StorefrontApi, and screenshots the Aspire dashboard (resources, traces, one trace's spans) with headless
# Chromium into TestResults/artifacts/. Needs node, npm and /usr/bin/chromium; the stack must not already run.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$PWD/TestResults/artifacts"
mkdir -p "$out"
tools=$(mktemp -d)
npm install --silent --prefix "$tools" playwright-core@1.64.1 >/dev/null

log=$(mktemp)
dotnet run --project AppHost > "$log" 2>&1 &
apphost=$!
# A background `dotnet run` ignores SIGINT: stop it with SIGTERM.
trap 'kill -TERM $apphost 2>/dev/null; wait $apphost 2>/dev/null; rm -rf "$tools"' EXIT

for _ in $(seq 1 180); do grep -q "Login to the dashboard at" "$log" && break; sleep 1; done
login=$(grep -o 'http://localhost:18100/login?t=[A-Za-z0-9]*' "$log" | head -1)
for _ in $(seq 1 240); do curl -sf http://localhost:5200/health >/dev/null && break; sleep 1; done
echo "stack is up; dashboard login: $login"

# An agent request with a real API key (minted through the KeyService's internal API), so the trace has
# the bearer check, the Redis revocation check, the rate-limit decision and the PostgreSQL query.
service_key=$(cat .aly/secrets/internal-service-key)
workspace=d3a0c0de-5700-4e00-8000-000000000001 # Shared/Development/DemoWorkspace.cs
if [ -n "${ALY_API_KEY:-}" ]; then key="$ALY_API_KEY"; else
  key=$(curl -sf -X POST "http://localhost:5300/internal/workspaces/${workspace}/keys" \
    -H "X-Aly-Service-Key: $service_key" -H "X-Aly-Actor: user:dashboard-screenshot" -H "X-Aly-Actor-Scopes: read:orders" \
    -H 'Content-Type: application/json' -d '{"name":"dashboard screenshot","scopes":["read:orders"]}' | sed -E 's/.*"secret":"([^"]+)".*/\1/')
fi
for _ in 1 2 3; do curl -s -o /dev/null -w "GET /orders -> %{http_code}\n" -H "Authorization: Bearer $key" http://localhost:5200/api/storefront/v1/merchant/orders; done
sleep 5 # telemetry export interval

# ES modules resolve packages from the script's own folder, so the script runs from beside its node_modules.
cp scripts/dashboard-screenshot.mjs "$tools/"
node "$tools/dashboard-screenshot.mjs" "$login" "$out"
