#!/usr/bin/env bash
# The HTTP side driven by clients nobody here wrote, against the demo (ASan + UBSan build):
# curl, Python's http.client and urllib, Node's built-in fetch, and ApacheBench (ab); then
# Prometheus's own parser (python3-prometheus-client) reads /metrics.
#   test/http_clients/run.sh [build-folder]                          (default: build)
# Each check asserts the status, the body and that the answer came within a second (the
# clients' own timeouts), then the server's verdict (alive, clean exit, no sanitizer report).
# Ends with one line "N passed, M failed". test/setup.sh installs curl, apache2-utils and
# python3-prometheus-client.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../conformance/server.sh"
server_args "$@" || { echo "0 passed, 1 failed"; exit 1; }

work=$(mktemp -d /tmp/http-clients.XXXXXX)
trap 'server_stop; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
pass=0 fail=0
check() { # label, then a command that succeeds when the check passes
  local label=$1; shift
  if "$@" >"$work/out" 2>&1; then
    echo "PASS $label"; pass=$((pass + 1))
  else
    echo "FAIL $label"; sed 's/^/  | /' "$work/out" | head -n 12; fail=$((fail + 1))
  fi
}

# curl with a one-second budget; prints "STATUS BODY" (the body without its final newline).
curl_answer() { # expected-status expected-body curl-args...
  local want_status=$1 want_body=$2; shift 2
  local got
  got=$(curl -sS --max-time 1 -o "$work/body" -w '%{http_code}' "$@") || { echo "curl failed ($?)"; return 1; }
  local body; body=$(cat "$work/body")
  [ "$got" = "$want_status" ] || { echo "status $got, want $want_status"; return 1; }
  [ "$body" = "$want_body" ] || { echo "body '$body', want '$want_body'"; return 1; }
}

curl_expect_1mib() { # a 1 MiB body sent with Expect: 100-continue comes back whole
  head -c 1048576 /dev/urandom >"$work/mib"
  curl -sS --max-time 1 -H 'Expect: 100-continue' -H 'Content-Type: application/octet-stream' \
    --data-binary @"$work/mib" -o "$work/mib.back" -D "$work/mib.head" "$BASE/echo" || return 1
  grep -q '^HTTP/1.1 100' "$work/mib.head" || { echo "no 100 Continue before the body"; return 1; }
  cmp -s "$work/mib" "$work/mib.back" || { echo "the echoed body differs"; return 1; }
}

curl_keep_alive() { # three requests with --next reuse one connection
  curl -sS --max-time 1 -v "$BASE/healthz" --next -sS --max-time 1 -X POST -d 'a=1' "$BASE/echo" \
    --next -sS --max-time 1 "$BASE/healthz" >"$work/ka.out" 2>"$work/ka.err" || return 1
  [ "$(cat "$work/ka.out")" = "$(printf 'ok\na=1ok')" ] || { echo "bodies: $(cat "$work/ka.out")"; return 1; }
  [ "$(grep -c 'Re-using existing connection\|Reusing existing connection' "$work/ka.err")" -ge 2 ] ||
    { echo "curl did not reuse the connection"; grep -i connect "$work/ka.err"; return 1; }
}

curl_head() { # RFC 9110 §9.3.2: the head of the GET (its Content-Length), no body
  curl -sS --max-time 1 -I -o "$work/head.out" "$BASE/healthz" || return 1
  grep -q '^HTTP/1.1 200' "$work/head.out" || { cat "$work/head.out"; return 1; }
  grep -qi '^Content-Length: 3' "$work/head.out" || { cat "$work/head.out"; return 1; }
}

curl_chunked_upload() {
  printf 'hello, chunked world' >"$work/chunked"
  curl_answer 200 'hello, chunked world' -H 'Transfer-Encoding: chunked' --data-binary @"$work/chunked" "$BASE/echo"
}

ab_run() { # a short keep-alive run: no failed request, no non-2xx
  ab -k -q -n 2000 -c 10 -s 1 "$BASE/healthz" >"$work/ab.out" 2>&1 || { cat "$work/ab.out"; return 1; }
  grep -q '^Complete requests: *2000$' "$work/ab.out" || { grep -E 'Complete|Failed' "$work/ab.out"; return 1; }
  grep -q '^Failed requests: *0$' "$work/ab.out" || { grep -A4 '^Failed' "$work/ab.out"; return 1; }
  ! grep -q '^Non-2xx responses' "$work/ab.out" || { grep '^Non-2xx' "$work/ab.out"; return 1; }
  grep -q '^Keep-Alive requests: *2000$' "$work/ab.out" || { grep '^Keep-Alive' "$work/ab.out"; return 1; }
}

if server_start http-clients; then
  BASE="http://127.0.0.1:$SERVER_PORT"
  check "curl: GET /healthz" curl_answer 200 ok "$BASE/healthz"
  check "curl: HEAD /healthz has the GET's head and no body" curl_head
  check "curl: POST with an empty body (-d '') is answered at once" curl_answer 200 '' -X POST -d '' "$BASE/echo"
  check "curl: POST with no body at all (Content-Length: 0)" curl_answer 200 '' -X POST "$BASE/echo"
  check "curl: PUT with an empty body and Connection: close" curl_answer 200 '' -X PUT -d '' -H 'Connection: close' "$BASE/echo"
  check "curl: POST with a body" curl_answer 200 'name=sluice' -d 'name=sluice' "$BASE/echo"
  check "curl: chunked upload (Transfer-Encoding: chunked)" curl_chunked_upload
  check "curl: Expect: 100-continue with a 1 MiB body" curl_expect_1mib
  check "curl: keep-alive reuse of one connection with --next" curl_keep_alive
  check "curl: unknown path is 404" curl_answer 404 'not found' "$BASE/no/such/page"
  check "python: http.client and urllib" timeout 30 "$PYTHON" "$here/python_clients.py" --port "$SERVER_PORT"
  check "node: built-in fetch" timeout 30 node "$here/node_fetch.mjs" --port "$SERVER_PORT"
  check "ab: 2,000 keep-alive requests, 10 at a time, none failed, all 2xx" ab_run
  check "prometheus_client: GET /metrics parses as text format 0.0.4 and counts ab's requests" \
    timeout 30 "$PYTHON" "$here/prometheus_check.py" --port "$SERVER_PORT"
fi
server_stop
if server_verdict; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
