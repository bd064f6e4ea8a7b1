#!/usr/bin/env bash
# Issue 9: the REST catalog's OAuth2 token endpoint on the real `floe serve`. curl logs in as a
# PyIceberg/Java client configured with credential=<id>:<secret> does (form-encoded
# client_credentials grant, scope=catalog), then uses the bearer token against
# /catalog/v1/config; the oracle's check-rest.mjs (iceberg-js, responses checked against the REST
# spec) drives the whole catalog with that token; a wrong secret gets 401 invalid_client; a
# read-only client's token reads but cannot write (403).
set -euo pipefail
FLOE_BIN=${FLOE_BIN:?FLOE_BIN names the floe binary}
FLOE_ORACLE=${FLOE_ORACLE:?FLOE_ORACLE names the oracle folder}
dir=$(mktemp -d "${TMPDIR:-/tmp}/floe-oauth-XXXXXX")
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- server log"; tail -n 20 "$dir/serve.log" || true; exit 1; }
json_field() { python3 -c "import json,sys; print(json.load(sys.stdin).get('$1', ''))"; }

ADMIN_TOKEN=oauth-admin FLOE_CATALOG_CLIENTS='engine:s3cr3t+/=' FLOE_CATALOG_READ_CLIENTS='viewer:look' \
  FLOE_SCHEDULER=off "$FLOE_BIN" serve --warehouse "$dir/warehouse" --state-dir "$dir/state" \
  --listen 127.0.0.1:0 --catalog-token-ttl 10m >"$dir/serve.out" 2>"$dir/serve.log" &
server_pid=$!
for _ in $(seq 1 300); do
  grep -q 'listening on' "$dir/serve.out" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || fail "floe serve exited before listening"
  sleep 0.1
done
address=$(sed -n 's/^listening on //p' "$dir/serve.out")
[ -n "$address" ] || fail "floe serve did not print its address"
base="http://$address/catalog"

# client_credentials, the secret form-encoded as clients send it.
response=$(curl -sS -w '\n%{http_code}' -X POST "$base/v1/oauth/tokens" \
  --data-urlencode grant_type=client_credentials --data-urlencode client_id=engine \
  --data-urlencode 'client_secret=s3cr3t+/=' --data-urlencode scope=catalog)
code=$(echo "$response" | tail -n 1)
body=$(echo "$response" | sed '$d')
[ "$code" = 200 ] || fail "token request: $code $body"
token=$(echo "$body" | json_field access_token)
[ -n "$token" ] || fail "no access_token in $body"
[ "$(echo "$body" | json_field token_type)" = bearer ] || fail "token_type in $body"
[ "$(echo "$body" | json_field expires_in)" = 600 ] || fail "expires_in is not 600 s: $body"
echo "token endpoint: $body" | sed "s/$token/<token>/"

config=$(curl -sS -w '\n%{http_code}' -H "Authorization: Bearer $token" "$base/v1/config")
[ "$(echo "$config" | tail -n 1)" = 200 ] || fail "GET /v1/config with the token: $config"
echo "$config" | sed '$d' | python3 -c "import json,sys; c=json.load(sys.stdin); assert 'defaults' in c and 'overrides' in c, c" \
  || fail "config response: $config"

code=$(curl -sS -o "$dir/wrong.json" -w '%{http_code}' -X POST "$base/v1/oauth/tokens" \
  -d grant_type=client_credentials -d client_id=engine -d client_secret=wrong)
[ "$code" = 401 ] || fail "wrong secret: $code $(cat "$dir/wrong.json")"
[ "$(json_field error <"$dir/wrong.json")" = invalid_client ] || fail "wrong secret body: $(cat "$dir/wrong.json")"
code=$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer ${token}x" "$base/v1/namespaces")
[ "$code" = 401 ] || fail "a tampered token got $code"

# The whole catalog through iceberg-js with the OAuth token.
node "$FLOE_ORACLE/check-rest.mjs" "$base" --token "$token" --table analytics.events >"$dir/check-rest.json" \
  || fail "check-rest.mjs with the OAuth token: $(head -c 3000 "$dir/check-rest.json")"

# A read-only client (HTTP Basic credentials this time).
reader=$(curl -sS -u viewer:look -X POST "$base/v1/oauth/tokens" -d grant_type=client_credentials | json_field access_token)
[ -n "$reader" ] || fail "read-only client got no token"
code=$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $reader" "$base/v1/namespaces")
[ "$code" = 200 ] || fail "read-only token listing namespaces: $code"
code=$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $reader" \
  -H 'Content-Type: application/json' -d '{"namespace":["nope"]}' "$base/v1/namespaces")
[ "$code" = 403 ] || fail "read-only token creating a namespace: $code"

kill -TERM "$server_pid"
wait "$server_pid" || fail "floe serve did not stop cleanly"
server_pid=
echo "oauth interop: ok"
