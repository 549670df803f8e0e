#!/usr/bin/env python3
"""Python's standard HTTP clients against the demo: http.client and urllib.

    python_clients.py --port PORT

Each check: the status, the body, and an answer within one second (the socket timeout).
Exits non-zero on the first failure, printing what differed.
"""
import argparse
import http.client
import sys
import urllib.request


def expect(label, got, want):
    if got != want:
        print(f"FAIL {label}: got {got!r}, want {want!r}")
        sys.exit(1)
    print(f"ok {label}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    port = ap.parse_args().port
    base = f"http://127.0.0.1:{port}"

    # urllib: the request from the issue, an empty POST body (Content-Length: 0).
    req = urllib.request.Request(base + "/echo", data=b"", method="POST")
    with urllib.request.urlopen(req, timeout=1) as r:
        expect("urllib empty POST status", r.status, 200)
        expect("urllib empty POST body", r.read(), b"")
    with urllib.request.urlopen(base + "/healthz", timeout=1) as r:
        expect("urllib GET", (r.status, r.read()), (200, b"ok\n"))

    # http.client: several requests on one keep-alive connection, empty bodies among them.
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    for i, (method, body) in enumerate([("POST", b""), ("GET", None), ("PUT", b""), ("POST", b"x" * 5000),
                                        ("DELETE", b"")]):
        conn.request(method, "/echo", body=body, headers={"Content-Type": "application/octet-stream"})
        r = conn.getresponse()
        expect(f"http.client #{i} {method} status", r.status, 200)
        expect(f"http.client #{i} {method} body", r.read(), body or b"")
        expect(f"http.client #{i} keep-alive", r.will_close, False)
    sock = conn.sock
    conn.request("GET", "/healthz")
    r = conn.getresponse()
    expect("http.client same socket after five requests", conn.sock is sock, True)
    expect("http.client GET body", r.read(), b"ok\n")
    conn.close()
    print("python clients: all checks passed")


if __name__ == "__main__":
    main()
