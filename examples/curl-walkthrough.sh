#!/usr/bin/env bash
# A walk through Herald's HTTP API with curl: connect an account, schedule
# two posts, watch one publish, cancel the other, read analytics, then
# disconnect and erase the account.
#
#   HERALD_API_URL=http://127.0.0.1:8081 HERALD_API_TOKEN=<a token of HERALD_API_TOKENS> \
#     bash examples/curl-walkthrough.sh
#
# It uses the sandbox platform, so it needs `herald api` and a `herald
# worker` started with HERALD_SANDBOX_URL pointing at `herald sandbox`. The full API is in
# api/openapi.json (served at /v1/openapi.json).
set -euo pipefail

API=${HERALD_API_URL:-http://127.0.0.1:8081}
: "${HERALD_API_TOKEN:?set HERALD_API_TOKEN to one of the tokens in HERALD_API_TOKENS}"
ACCOUNT=${WALKTHROUGH_ACCOUNT:-walkthrough-$$}

# call METHOD PATH [JSON BODY]: prints the body, fails on a 4xx/5xx.
call() {
  local method=$1 path=$2 body=${3:-}
  echo ">>> $method $path" >&2
  curl --silent --show-error --fail-with-body -X "$method" "$API$path" \
    -H "Authorization: Bearer $HERALD_API_TOKEN" \
    -H "Content-Type: application/json" \
    ${body:+--data "$body"}
  echo
}

at() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }

# 1. Connect: the product app did the OAuth consent and hands over the
#    tokens. The answer never shows them again.
call POST /v1/accounts "{
  \"account_id\": \"$ACCOUNT\", \"platform\": \"sandbox\", \"platform_user_id\": \"sb-$ACCOUNT\",
  \"access_token\": \"sandbox-access-token\", \"token_type\": \"Bearer\",
  \"expiry\": \"$(at '+1 hour')\", \"scopes\": [\"publish\"]}"

# 2. Schedule a post due now and one for tomorrow. Sending the same body
#    again is harmless: the post id makes it idempotent.
#    The same body means the same publish_at too: take the time once.
NOW_POST="$ACCOUNT-now"
LATER_POST="$ACCOUNT-later"
NOW_AT=$(at 'now')
for attempt in 1 2; do
  call POST /v1/posts "{
    \"post_id\": \"$NOW_POST\", \"account_id\": \"$ACCOUNT\", \"platform\": \"sandbox\",
    \"publish_at\": \"$NOW_AT\",
    \"content\": {\"title\": \"Hello\", \"text\": \"Published by the walkthrough\"}}"
done
call POST /v1/posts "{
  \"post_id\": \"$LATER_POST\", \"account_id\": \"$ACCOUNT\", \"platform\": \"sandbox\",
  \"publish_at\": \"$(at '+1 day')\", \"content\": {\"text\": \"Never published\"}}"

# 3. Watch the first one publish.
for _ in $(seq 1 60); do
  status=$(call GET "/v1/posts/$NOW_POST")
  case $status in
    *'"state":"published"'*) echo "$status"; echo "published"; break ;;
    *'"state":"failed"'*) echo "$status"; exit 1 ;;
  esac
  sleep 0.5
done
[[ $status == *'"state":"published"'* ]] || { echo "not published in 30s: $status" >&2; exit 1; }

# 4. Cancel the other; list the account's posts.
call DELETE "/v1/posts/$LATER_POST"
call GET "/v1/accounts/$ACCOUNT/posts?limit=10"

# 5. Ask for an analytics refresh; read the snapshot once it is stored.
call POST "/v1/accounts/$ACCOUNT/analytics/refresh"
analytics=""
for _ in $(seq 1 60); do
  if analytics=$(curl --silent --fail -H "Authorization: Bearer $HERALD_API_TOKEN" "$API/v1/accounts/$ACCOUNT/analytics"); then
    echo "$analytics"; break
  fi
  analytics=""
  sleep 0.5
done
[[ -n $analytics ]] || { echo "no analytics for $ACCOUNT in 30s: is a worker running?" >&2; exit 1; }

# 6. Disconnect (tokens deleted and revoked, pending posts canceled), then
#    erase everything Herald keeps about the account; the answer is a
#    receipt of what was deleted.
call POST "/v1/accounts/$ACCOUNT/disconnect"
call DELETE "/v1/accounts/$ACCOUNT"
echo "walkthrough done"
