#!/usr/bin/python3
"""The proxy suite's WebSocket checks: Python's `websockets` over wss:// through nginx to the
demo (test/proxy/run.sh starts both). The certificate is verified against the suite's own
self-signed one (--cafile), so TLS is checked too.

Usage: proxy_client.py --port P --cafile cert.pem [--control-port Q] [--idle S] [--sse-port P]
  --control-port: a second nginx whose upstream demo pings later than nginx's
                  proxy_read_timeout: the idle connection must be closed there (the control
                  that shows the pings are what keeps the main one open).
One line per check (PASS/FAIL python ...), last line exactly "N passed, M failed".
"""

import argparse
import asyncio
import json
import pathlib
import ssl
import sys

import websockets

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "support"))
from report import Report  # noqa: E402  (test/support/report.py)

STEP = 15.0


def connect(args, port, path, **kw):
    return asyncio.wait_for(
        websockets.connect(f"wss://127.0.0.1:{port}{path}", ssl=args.tls, max_size=None,
                           ping_interval=None, **kw), STEP)


async def echo_checks(args, report):
    name = "wss:// echo through nginx: text, 1 MiB text, 1 MiB binary"
    try:
        ws = await connect(args, args.port, "/ws")
        await ws.send("hello through nginx")
        ok = await asyncio.wait_for(ws.recv(), STEP) == "hello through nginx"
        big_text = "\u00e9" * (1 << 19)   # 1 MiB of UTF-8
        await ws.send(big_text)
        ok = ok and await asyncio.wait_for(ws.recv(), STEP) == big_text
        big = bytes((i * 7 + 3) & 0xFF for i in range(1 << 20))
        await ws.send(big)
        ok = ok and await asyncio.wait_for(ws.recv(), STEP) == big
        report.check(name, ok, "an echo differed")
        # The close handshake end to end: the demo echoes our code and reason (RFC 6455
        # §5.5.1); run.sh checks the demo's own log line names them too.
        await asyncio.wait_for(ws.close(4000, "bye through nginx"), STEP)
        report.check("a clean close through nginx: the client sees the server's close 4000",
                     ws.close_code == 4000 and ws.close_reason == "bye through nginx",
                     f"close code {ws.close_code} reason {ws.close_reason!r}")
    except Exception as e:  # noqa: BLE001 - any failure is this check's
        report.check(name, False, repr(e))


async def pubsub_check(args, report):
    name = "pub/sub between two wss:// clients (/chat), the sender's address seen through nginx"
    try:
        # The first member connects from 127.0.0.2: the demo trusts 127.0.0.1 (nginx) and
        # takes the client address from X-Forwarded-For, so its welcome names 127.0.0.2.
        a = await connect(args, args.port, "/chat", local_addr=("127.0.0.2", 0))
        welcome = json.loads(await asyncio.wait_for(a.recv(), STEP))
        report.check("the demo sees the client's address through nginx (trusted_proxies)",
                     welcome.get("client", "").startswith("127.0.0.2"), f"welcome {welcome}")
        b = await connect(args, args.port, "/chat")
        await asyncio.wait_for(b.recv(), STEP)   # b's welcome
        await b.send("marker-7f3a through nginx")
        got = None
        for _ in range(10):   # a sees b's join first, then the message
            event = json.loads(await asyncio.wait_for(a.recv(), STEP))
            if event.get("type") == "message":
                got = event
                break
        report.check(name, got is not None and got.get("text") == "marker-7f3a through nginx", f"{got}")
        await a.close()
        await b.close()
    except Exception as e:  # noqa: BLE001
        report.check(name, False, repr(e))


async def private_check(args, report):
    name = "/private through nginx: 401 without the token, echo with ?token=demo"
    try:
        refused = None
        try:
            ws = await connect(args, args.port, "/private")
            await ws.close()
        except websockets.exceptions.InvalidStatusCode as e:
            refused = e.status_code
        ws = await connect(args, args.port, "/private?token=demo")
        await ws.send("let me in")
        echoed = await asyncio.wait_for(ws.recv(), STEP)
        await ws.close()
        report.check(name, refused == 401 and echoed == "let me in", f"refused {refused}, echoed {echoed!r}")
    except Exception as e:  # noqa: BLE001
        report.check(name, False, repr(e))


async def idle(args, port):
    """Connects, stays silent for args.idle seconds, then echoes: the echo, or the close code."""
    ws = await connect(args, port, "/ws")
    await asyncio.sleep(args.idle)
    try:
        await ws.send("still here")
        reply = await asyncio.wait_for(ws.recv(), STEP)
        await ws.close()
        return reply
    except websockets.exceptions.ConnectionClosed:
        return f"closed {ws.close_code}"


async def idle_checks(args, report):
    jobs = [idle(args, args.port)]
    if args.control_port:
        jobs.append(idle(args, args.control_port))
    try:
        results = await asyncio.gather(*jobs)
    except Exception as e:  # noqa: BLE001
        report.check("idle longer than proxy_read_timeout", False, repr(e))
        return
    report.check(f"silent for {args.idle:g} s, longer than nginx's proxy_read_timeout: the server's pings kept it open",
                 results[0] == "still here", f"got {results[0]!r}")
    if args.control_port:
        report.check("control: with the server's pings later than proxy_read_timeout, nginx closes the silent connection",
                     results[1] != "still here", f"got {results[1]!r}")


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cafile", required=True)
    parser.add_argument("--control-port", type=int, default=0)
    parser.add_argument("--idle", type=float, default=5.0)
    args = parser.parse_args()
    args.tls = ssl.create_default_context(cafile=args.cafile)
    report = Report()
    await asyncio.gather(idle_checks(args, report), echo_checks(args, report), pubsub_check(args, report),
                         private_check(args, report))
    print(f"{report.passed} passed, {report.failed} failed", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
