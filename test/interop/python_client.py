#!/usr/bin/python3
"""Interop: Python's `websockets` (Debian's python3-websockets, asyncio client) against the
server's echo route, with permessage-deflate (websockets offers it by default, RFC 7692).
Text and binary messages of 0 B .. 1 MiB echoed byte for byte, a ping
answered by a pong, and a clean close whose code and reason the server echoes back.

Usage: python_client.py --port P [--host 127.0.0.1] [--path /ws]
One line per check (PASS/FAIL python ...), last line exactly "N passed, M failed".
"""

import argparse
import asyncio
import pathlib
import sys

import websockets

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "support"))
from report import Report  # noqa: E402  (test/support/report.py)

SIZES = [0, 125, 126, 65535, 65536, 1 << 20]
STEP_TIMEOUT = 10.0


def text_of(n):
    """n UTF-8 bytes with multi-byte characters in them."""
    unit = "py-\u00e9\u20ac\U0001F40D|"  # 3 + 2 + 3 + 4 + 1 = 13 bytes
    whole = unit * (n // 13)
    return whole + "x" * (n - len(whole.encode()))


def bytes_of(n):
    return bytes((i * 31 + 7) & 0xFF for i in range(n))


async def run(uri, report):
    try:
        ws = await asyncio.wait_for(websockets.connect(uri, max_size=None, ping_interval=None),
                                    STEP_TIMEOUT)
    except Exception as e:  # noqa: BLE001 - any failure to connect is one failed check
        report.check("connect: handshake accepted", False, repr(e))
        return
    report.check("connect: handshake accepted", True)
    # websockets offers permessage-deflate by default (client_max_window_bits); the echo
    # route answers it without context takeover (sluice's shared memory, RFC 7692 §7.1).
    answer = ws.response_headers.get("Sec-WebSocket-Extensions", "")
    report.check("permessage-deflate offered by default and answered",
                 answer.startswith("permessage-deflate") and "server_no_context_takeover" in answer,
                 f"answer {answer!r}")
    for kind, make in (("text", text_of), ("binary", bytes_of)):
        for n in SIZES:
            name = f"{kind} {n} B echoed byte for byte"
            try:
                sent = make(n)
                await asyncio.wait_for(ws.send(sent), STEP_TIMEOUT)
                got = await asyncio.wait_for(ws.recv(), STEP_TIMEOUT)
                if type(got) is not type(sent):
                    report.check(name, False, f"came back as {type(got).__name__}")
                else:
                    size = (lambda m: len(m.encode()) if isinstance(m, str) else len(m))
                    report.check(name, got == sent, f"{size(got)} bytes back for {n} sent")
            except Exception as e:  # noqa: BLE001
                report.check(name, False, repr(e))
    try:
        waiter = await ws.ping(b"python-ping")
        await asyncio.wait_for(waiter, STEP_TIMEOUT)
        report.check("ping answered by a pong with the same payload", True)
    except Exception as e:  # noqa: BLE001
        report.check("ping answered by a pong with the same payload", False, repr(e))
    name = "close 4001 'bye': the server's close carries the same code and reason"
    try:
        await asyncio.wait_for(ws.close(code=4001, reason="bye"), STEP_TIMEOUT)
        await asyncio.wait_for(ws.wait_closed(), STEP_TIMEOUT)
        ok = ws.close_code == 4001 and ws.close_reason == "bye"
        report.check(name, ok, f"server's close was {ws.close_code} {ws.close_reason!r}")
    except Exception as e:  # noqa: BLE001
        report.check(name, False, repr(e))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--path", default="/ws")
    args = ap.parse_args()
    report = Report()
    asyncio.run(run(f"ws://{args.host}:{args.port}{args.path}", report))
    print(f"{report.passed} passed, {report.failed} failed", flush=True)
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
