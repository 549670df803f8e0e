#!/usr/bin/env python3
"""perf/push_idle.py -- what a held long-poll and an idle SSE stream cost the server.

Starts the release demo (build/release/sluice-demo, pinned to CPU 0), opens N connections of
one kind (pinned to CPU 1), holds them, and prints the server's VmRSS before and after and
the KiB per connection:

  sse    GET /sse/chat (Accept: text/event-stream): the stream's head read, then idle
  poll   GET /poll/chat: held (poll_timeout is raised to 120 s for the run)
  ws     GET /ws (the echo) upgraded to a WebSocket, then idle: the README's idle figure
  wschat GET /chat upgraded (the welcome read): a chat member, subscribed to "chat"

usage: perf/push_idle.py [--kind sse|poll|ws|wschat|all] [--connections 10000] [--build build/release]
"""
import argparse
import base64
import os
import resource
import socket
import subprocess
import sys
import time


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def request(kind):
    if kind == "sse":
        return b"GET /sse/chat HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n", b"\r\n\r\n"
    if kind == "poll":
        return b"GET /poll/chat HTTP/1.1\r\nHost: x\r\n\r\n", None
    key = base64.b64encode(os.urandom(16))
    if kind == "ws":
        return (b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + key + b"\r\n\r\n"), b"\r\n\r\n"
    return (b"GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + key + b"\r\n\r\n"), b"welcome"


def measure(kind, n, build):
    port = free_port()
    server = subprocess.Popen(["taskset", "-c", "0", f"{build}/sluice-demo", "--host", "127.0.0.1", "--port",
                               str(port), "--quiet", "1", "--set", "poll_timeout=120000",
                               "--set", f"max_connections={n + 100}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port)).close()
                break
            except OSError:
                time.sleep(0.05)
        time.sleep(0.3)
        before = rss_kib(server.pid)
        socks = []
        for i in range(n):
            s = socket.create_connection(("127.0.0.1", port))
            req, marker = request(kind)
            s.sendall(req)
            socks.append((s, marker))
            if len(socks) % 500 == 0:   # read what each has been sent, in batches
                for t, m in socks[-500:]:
                    if m:
                        got = b""
                        while m not in got:
                            got += t.recv(4096)
        for t, m in socks[(len(socks) // 500) * 500:]:
            if m:
                got = b""
                while m not in got:
                    got += t.recv(4096)
        time.sleep(1.0)
        after = rss_kib(server.pid)
        per = (after - before) / n
        print(f"{kind:5s} connections={n:6d} rss_before={before/1024:7.1f} MiB rss_after={after/1024:7.1f} MiB"
              f"  {per:.3f} KiB/conn")
        for s, _ in socks:
            s.close()
        return per
    finally:
        server.terminate()
        server.wait(timeout=20)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kind", default="all")
    ap.add_argument("--connections", type=int, default=10000)
    ap.add_argument("--build", default="build/release")
    a = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    os.sched_setaffinity(0, {1})
    for kind in (["ws", "sse", "poll"] if a.kind == "all" else [a.kind]):
        measure(kind, a.connections, a.build)


if __name__ == "__main__":
    sys.exit(main())
