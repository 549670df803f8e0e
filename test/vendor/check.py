"""Checks one running test/vendor/echo_app over real sockets on 127.0.0.1 (stdlib only):
one WebSocket echo (test/conformance/wsclient.py, which checks the server's frames strictly)
and one HTTP GET. Prints a PASS/FAIL line per check.
    check.py PORT LABEL"""

import http.client
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "conformance"))
import wsclient  # noqa: E402


def ws_echo(port):
    conn = wsclient.Conn("127.0.0.1", port, "/echo", timeout=10)
    try:
        payload = "vendored sluice says héllo".encode()
        conn.send_frames([wsclient.frame(wsclient.OP_TEXT, payload)])
        conn.expect_message(wsclient.OP_TEXT, payload)
        conn.close_normally()
    finally:
        conn.close_socket()


def http_get(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", "/hello")
        response = conn.getresponse()
        body = response.read()
        if response.status != 200 or body != b"hello from sluice\n":
            raise wsclient.CaseFailed(f"got {response.status} {body[:60]!r}")
    finally:
        conn.close()


def main():
    port, label = int(sys.argv[1]), sys.argv[2]
    for name, check in (("WebSocket echo of a text message on /echo", ws_echo),
                        ("HTTP GET /hello answered 200 with its body", http_get)):
        try:
            check(port)
            print(f"PASS {label}: {name}")
        except (wsclient.CaseFailed, OSError) as error:
            print(f"FAIL {label}: {name}: {error}")


if __name__ == "__main__":
    main()
