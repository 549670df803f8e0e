#!/usr/bin/python3
"""A WebSocket server on Python's `websockets` (Debian's python3-websockets), for the client
suite (test/client/run.sh): a server nobody here wrote, whose behaviour each path picks.

Usage: py_server.py  -- listens on 127.0.0.1, a free port, and prints "PORT n" once ready;
lines "CLIENT-CLOSE code reason" report the close each /client-close conversation got.

  /echo           echoes every message, text as text, binary as binary
  /kind           answers "text N" or "binary N" for each message of N bytes
  /sizes          sends text then binary messages of 0, 125, 126, 65535, 65536, 100000 bytes, closes 1000
  /fragments      sends "Hello, world" as three fragments and b"binary-fragments" as two, closes 1000
  /ping           pings with b"probe"; answers "pong received" when the pong comes, closes 1000
  /close/CODE     closes at once with CODE and the reason "bye from server"
  /client-close   waits for the client to close and prints its code
  /headers        answers "X-Test=<its value> subprotocol=<chosen>"
  /status/CODE    refuses the upgrade: CODE (200, 403, 302) with a short body (302: a Location)
"""

import asyncio
import http
import sys

import websockets

SIZES = [0, 125, 126, 65535, 65536, 100000]


async def handler(ws, path):
    if path == "/echo":
        async for message in ws:
            await ws.send(message)
    elif path == "/kind":
        async for message in ws:
            kind = "text" if isinstance(message, str) else "binary"
            await ws.send(f"{kind} {len(message.encode() if isinstance(message, str) else message)}")
    elif path == "/sizes":
        for n in SIZES:
            await ws.send("a" * n)
        for n in SIZES:
            await ws.send(b"b" * n)
        await ws.close(1000, "sizes sent")
    elif path == "/fragments":
        await ws.send(iter(["Hel", "lo, ", "world"]))
        await ws.send(iter([b"binary-", b"fragments"]))
        await ws.close(1000)
    elif path == "/ping":
        waiter = await ws.ping(b"probe")
        try:
            await asyncio.wait_for(waiter, 5)
            await ws.send("pong received")
        except asyncio.TimeoutError:
            await ws.send("no pong")
        await ws.close(1000)
    elif path.startswith("/close/"):
        await ws.close(int(path[len("/close/"):]), "bye from server")
    elif path == "/client-close":
        await ws.wait_closed()
        print(f"CLIENT-CLOSE {ws.close_code} {ws.close_reason}", flush=True)
    elif path == "/headers":
        await ws.send(f"X-Test={ws.request_headers.get('X-Test', '')} subprotocol={ws.subprotocol}")
        await ws.wait_closed()
    else:
        await ws.close(1008, "no such path")


async def refuse(path, request_headers):
    """process_request: a status other than 101 for /status/CODE, the upgrade for the rest."""
    if not path.startswith("/status/"):
        return None
    code = http.HTTPStatus(int(path[len("/status/"):]))
    if code == 302:
        return (code, [("Location", "http://elsewhere.test/"), ("Content-Type", "text/plain")], b"moved\n")
    if code == 403:
        return (code, [("Content-Type", "text/plain")], b"forbidden by the python server\n")
    return (code, [("Content-Type", "text/plain")], b"a plain page, not a websocket\n")


async def main():
    async with websockets.serve(handler, "127.0.0.1", 0, process_request=refuse, subprotocols=["chat", "superchat"],
                                max_size=None, ping_interval=None) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"PORT {port}", flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
