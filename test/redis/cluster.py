#!/usr/bin/env python3
"""Two sluice demo nodes joined through a real Redis (test/redis/run.sh drives this).

  cluster.py BUILD_DIR LOG_DIR

Starts the two nodes FIRST (Redis unreachable at start), then redis-server on a free port
with no persistence, and checks, over real sockets with Python's websockets:
  - both nodes serve and deliver locally while Redis is unreachable, then connect;
  - a /chat message sent on node A reaches each client on A and on B exactly once;
  - 1,000 messages per publisher (one on each node) reach every member in order, once;
  - binary messages byte for byte (every byte value, 0 B to 1 MiB), UTF-8 text as text;
  - /trading: one node generates (elected), both nodes' traders see one sequence;
  - Redis slow (SIGSTOP for 1.5 s): local delivery goes on at once, the far node gets
    every message in order after SIGCONT;
  - Redis killed (SIGKILL) and restarted: local delivery never stops while it is down,
    both nodes reconnect and subscribe again, messages flow both ways again;
  - each node exits cleanly on SIGTERM with no sanitizer report; Redis is stopped every time.
Prints PASS/FAIL lines and ends with "N passed, M failed".
"""
import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

import websockets

BUILD, LOGS = sys.argv[1], sys.argv[2]
DEMO = os.path.join(BUILD, "test", "sluice-demo")
results = {"pass": 0, "fail": 0}


def check(label, ok, detail=""):
    if ok:
        results["pass"] += 1
        print(f"PASS {label}")
    else:
        results["fail"] += 1
        print(f"FAIL {label}" + (f": {detail}" if detail else ""))
    sys.stdout.flush()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, seconds):
    end = time.time() + seconds
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


class Redis:
    def __init__(self, port):
        self.port, self.proc = port, None

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no", "--loglevel", "warning"],
            stdout=open(os.path.join(LOGS, "redis-server.log"), "a"), stderr=subprocess.STDOUT)
        return wait_port(self.port, 10)

    def signal(self, signo):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signo)

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Node:
    def __init__(self, name, redis_port):
        self.name, self.port = name, free_port()
        self.log_path = os.path.join(LOGS, f"redis-node-{name}.log")
        env = dict(os.environ, UBSAN_OPTIONS=os.environ.get("UBSAN_OPTIONS", "print_stacktrace=1"))
        self.proc = subprocess.Popen([DEMO, "--host", "127.0.0.1", "--port", str(self.port), "--redis",
                                      f"127.0.0.1:{redis_port}", "--redis-prefix", f"test{redis_port}:"],
                                     stdout=open(self.log_path, "w"), stderr=subprocess.STDOUT, env=env)

    def url(self, path):
        return f"ws://127.0.0.1:{self.port}{path}"

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def stop(self):
        """SIGTERM; True when it exited by itself within 10 s with status 0 and no sanitizer report."""
        if self.proc.poll() is not None:
            return False, f"died early with status {self.proc.returncode}"
        self.proc.terminate()
        try:
            status = self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return False, "ignored SIGTERM for 10 s"
        text = self.log()
        if re.search(r"ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: \w+Sanitizer", text):
            return False, "sanitizer report in " + self.log_path
        return status == 0, f"status {status}"


async def connect(url):
    # max_queue=None: a client that stopped reading still reads the server's close frame (a full
    # queue of 32 unread messages would hold close() for its 10 s close_timeout).
    return await websockets.connect(url, max_size=None, max_queue=None, ping_interval=None)


async def collect(ws, seconds, want=None):
    """Messages received within `seconds` (or until `want` of them came)."""
    got = []
    end = time.time() + seconds
    while want is None or len(got) < want:
        left = end - time.time()
        if left <= 0:
            break
        try:
            got.append(await asyncio.wait_for(ws.recv(), left))
        except asyncio.TimeoutError:
            break
    return got


async def wait_log(node, pattern, seconds, count=1):
    end = time.time() + seconds
    while time.time() < end:
        if len(re.findall(pattern, node.log())) >= count:
            return True
        await asyncio.sleep(0.05)
    return False


async def scenario(redis, a, b):
    # ---- Redis unreachable at start: both nodes serve, and deliver locally ----
    up = wait_port(a.port, 20) and wait_port(b.port, 20)
    check("both nodes start and listen while Redis is unreachable", up)
    if not up:
        return
    m1, m2 = await connect(a.url("/fanout")), await connect(a.url("/fanout"))
    await m1.send("before redis")
    got = await collect(m2, 2, 1)
    check("local delivery on node A before Redis was ever reachable", got == ["before redis"], repr(got))
    await collect(m1, 0.2)
    for ws in (m1, m2):
        await ws.close()
    check("the nodes log that Redis is unreachable and retry",
          await wait_log(a, r"redis (publisher|subscriber): connect: .*retrying in", 5))
    check("redis-server started on a free port, no persistence", redis.start())
    ok = await wait_log(a, r"redis: connected \(publishing and subscribing\)", 10) and \
        await wait_log(b, r"redis: connected \(publishing and subscribing\)", 10)
    check("both nodes connect once Redis is up (reconnect with backoff)", ok)

    # ---- chat: once on A, once on B ----
    chats = [await connect(n.url("/chat")) for n in (a, a, b, b)]
    for ws in chats:
        await collect(ws, 0.3)   # welcome and joins
    await asyncio.sleep(0.3)
    for ws in chats:
        await collect(ws, 0.1)
    text = f"hello across nodes {time.time()}"
    await chats[0].send(text)
    for i, ws in enumerate(chats):
        got = [json.loads(m) for m in await collect(ws, 1.5)]
        mine = [m for m in got if m.get("type") == "message" and m.get("text") == text]
        check(f"chat message from A reaches client {i} on node {'AB'[i // 2]} exactly once", len(mine) == 1,
              f"{len(mine)} copies")
    for ws in chats:
        await ws.close()

    # ---- 1,000 in order per publisher, both ways ----
    members = [await connect(n.url("/fanout")) for n in (a, a, b, b)]
    await asyncio.sleep(0.5)
    pub_a, pub_b = members[0], members[2]

    async def flood(ws, tag):
        for i in range(1000):
            await ws.send(f"{tag}:{i}")
    await asyncio.gather(flood(pub_a, "A"), flood(pub_b, "B"))
    results_ok = True
    detail = ""
    for i, ws in enumerate(members):
        got = await collect(ws, 15, 2000)
        for tag in "AB":
            seq = [int(m.split(":")[1]) for m in got if isinstance(m, str) and m.startswith(tag + ":")]
            if seq != list(range(1000)):
                results_ok = False
                detail += f" member {i}: {len(seq)} from {tag}"
                if len(seq) == 1000:
                    detail += " out of order"
        if len(got) != 2000:
            results_ok = False
            detail += f" member {i} got {len(got)}"
    check("1,000 messages from a publisher on each node reach every member on both nodes, in order, once",
          results_ok, detail)
    await asyncio.sleep(0.3)
    extra = [await collect(ws, 0.1) for ws in members]
    check("no duplicate after the 2,000 (own echoes from Redis dropped)", all(not e for e in extra),
          repr([len(e) for e in extra]))

    # ---- binary byte for byte, text stays text ----
    # The text goes first: a member whose queue is over max_backpressure (1 MiB) when a message
    # comes misses it (the server's slow-reader policy), and the 1 MiB message fills it.
    payloads = [bytes(range(256)), b"", b"\r\n$3\r\n*1\r\n", os.urandom(70000), os.urandom(1 << 20)]
    await members[2].send("ünïcødé ✓ 𝄞")
    for p in payloads:
        await members[2].send(p)
    got = await collect(members[0], 10, len(payloads) + 1)
    check("a UTF-8 text message from B arrives on A as text", len(got) > 0 and got[0] == "ünïcødé ✓ 𝄞")
    got = got[1:]
    ok = len(got) == len(payloads) and all(isinstance(g, bytes) and g == p for g, p in zip(got, payloads))
    check("binary messages from B reach A byte for byte as binary (0 B to 1 MiB, CR LF and RESP bytes)", ok,
          repr([(type(g).__name__, len(g)) for g in got]))
    for ws in members:
        await collect(ws, 0.5)

    # ---- /trading: one elected generator ----
    traders = [await connect(n.url("/trading")) for n in (a, b)]
    # An SSE listener on B too: its ticker asks the feed every interval (only the elected
    # node may generate, whatever transport asks).
    sse_reader, sse_writer = await asyncio.open_connection("127.0.0.1", b.port)
    sse_writer.write(b"GET /sse/trading HTTP/1.1\r\nHost: b\r\nAccept: text/event-stream\r\n\r\n")
    await sse_writer.drain()
    seqs = []
    for ws in traders:
        got = [json.loads(m) for m in await collect(ws, 1.2)]
        seqs.append([m["sequence"] for m in got if m.get("type") == "market_data"])
    leaders = sum(1 for n in (a, b) if "this node leads" in n.log())
    check("exactly one node was elected to generate /trading", leaders == 1, f"{leaders} leaders")
    ok = all(len(s) >= 10 and s == sorted(set(s)) for s in seqs) and len(set(seqs[0]) & set(seqs[1])) >= 8
    check("/trading traders on both nodes see one increasing sequence (no second generator)", ok, repr(seqs))
    sse_bytes = b""
    end = time.time() + 0.5   # what arrived while the traders were read, and a little more
    while time.time() < end:
        try:
            sse_bytes += await asyncio.wait_for(sse_reader.read(65536), max(0.01, end - time.time()))
        except asyncio.TimeoutError:
            break
    sse_seqs = [int(x) for x in re.findall(rb'"sequence":(\d+)', sse_bytes)]
    check("/trading over SSE on B: the same one sequence", len(sse_seqs) >= 5 and sse_seqs == sorted(set(sse_seqs)),
          repr(sse_seqs[:20]))
    sse_writer.close()
    for ws in traders:
        await ws.close()

    # ---- Redis slow: SIGSTOP for 1.5 s ----
    redis.signal(signal.SIGSTOP)
    t0 = time.time()
    for i in range(50):
        await members[0].send(f"slow:{i}")
    local = await collect(members[1], 1.0, 50)
    check("Redis stopped (slow): local delivery on A goes on at once", len(local) == 50 and time.time() - t0 < 1.4,
          f"{len(local)} in {time.time() - t0:.2f} s")
    await asyncio.sleep(max(0.0, 1.5 - (time.time() - t0)))
    redis.signal(signal.SIGCONT)
    far = await collect(members[2], 5, 50)
    check("Redis slow: after it resumes, node B gets every message in order",
          far == [f"slow:{i}" for i in range(50)], f"{len(far)} messages")
    for ws in members:
        await collect(ws, 0.3)

    # ---- Redis killed and restarted ----
    redis.kill()
    await wait_log(a, r"redis: disconnected", 5)
    down = [f"down:{i}" for i in range(100)]
    for m in down:
        await members[0].send(m)
    local = await collect(members[1], 3, 100)
    check("Redis killed: every message published on A reaches A's members (nothing lost locally)", local == down,
          f"{len(local)} of 100")
    b_down = await collect(members[3], 0.3)
    check("Redis killed: node B reports the disconnect", await wait_log(b, r"redis: disconnected", 5))
    await asyncio.sleep(0.5)
    check("redis-server restarted on the same port", redis.start())
    ok = await wait_log(a, r"subscribed again to [1-9]", 15) and await wait_log(b, r"subscribed again to [1-9]", 15)
    check("both nodes reconnect and subscribe again to their live topics", ok)
    b_down += await collect(members[3], 1.0)
    got_down = [m for m in b_down if isinstance(m, str) and m.startswith("down:")]
    check("publishes buffered while Redis was down reach B in order if B was back in time (none out of order)",
          got_down == down[:len(got_down)] or got_down == down[len(down) - len(got_down):],
          f"{len(got_down)} of 100 reached B")
    print(f"# buffered while down: {len(got_down)} of 100 reached node B after the reconnect")
    await members[0].send("after:A")
    await members[2].send("after:B")
    got_b = [m for m in await collect(members[3], 3, 2) if m.startswith("after")]
    got_a = [m for m in await collect(members[1], 3, 2) if m.startswith("after")]
    check("after the restart, A -> B flows again", "after:A" in got_b, repr(got_b))
    check("after the restart, B -> A flows again", "after:B" in got_a, repr(got_a))
    for ws in members:
        await ws.close()


def main():
    redis = Redis(free_port())
    nodes = [Node("A", redis.port), Node("B", redis.port)]
    try:
        asyncio.run(asyncio.wait_for(scenario(redis, *nodes), 75))
    except Exception as e:  # a timeout or a refused connection: one failure, then clean up
        check("the scenario ran to its end", False, f"{type(e).__name__}: {e}")
    finally:
        for n in nodes:
            ok, why = n.stop()
            check(f"node {n.name}: alive to the end, clean exit on SIGTERM, no sanitizer report", ok, why)
        redis.stop()
    check("redis-server stopped", redis.proc is None or redis.proc.poll() is not None)
    print(f"{results['pass']} passed, {results['fail']} failed")
    return 0 if results["fail"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
