#!/usr/bin/env python3
"""Writes the hand-made seed corpora of the HTTP and WebSocket harnesses (fuzz/corpus/).

Run once from the repository root when the seeds change:  python3 fuzz/make_seeds.py
Every harness input starts with the split header of fuzz/fuzz_input.hpp:
byte K (0..15), then K chunk lengths, then the payload. Each seed is written whole (K=0)
and with a few split patterns so the corpus starts with split points exercised.
"""
import os
import random
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
SPLITS = {"whole": b"", "bytewise": b"\x01", "pairs": b"\x02", "odd": b"\x03\x07\x01"}


def write(harness, name, payload, splits=("whole", "bytewise", "odd"), prefix=b""):
    folder = os.path.join(HERE, "corpus", harness)
    os.makedirs(folder, exist_ok=True)
    for split in splits:
        lengths = SPLITS[split]
        with open(os.path.join(folder, f"{name}-{split}"), "wb") as f:
            f.write(prefix + bytes([len(lengths)]) + lengths + payload)


# ---- HTTP ------------------------------------------------------------------------------
UPGRADE = (b"GET /ws?room=1 HTTP/1.1\r\nHost: 127.0.0.1:9001\r\nUpgrade: websocket\r\n"
           b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
           b"Sec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1\r\n"
           b"Sec-WebSocket-Protocol: chat, superchat\r\n\r\n")
HTTP = {
    "get": b"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
    "get10": b"GET /index.html HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    "post_length": b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
    "post_chunked": (b"POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"5;ext=1\r\nhello\r\n6;q=\"x\"\r\n world\r\n0\r\nTrailer: t\r\n\r\n"),
    "pipelined": (b"GET /a HTTP/1.1\r\nHost: a\r\n\r\n"
                  b"POST /b HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
                  b"GET /c HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"),
    "upgrade": UPGRADE,
    "expect": b"PUT /x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx",
    "options_star": b"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
    "connect": b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
    "absolute": b"GET http://a.example/p?q HTTP/1.1\r\nHost: a.example\r\n\r\n",
    "bad_te_cl": b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
    "obs_fold": b"GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n",
    "bare_lf": b"GET / HTTP/1.1\nHost: a\n\n",
    "http2": b"GET / HTTP/2.0\r\nHost: a\r\n\r\n",
    "pct": b"GET /a%20b?x=%41 HTTP/1.1\r\nHost: [::1]:80\r\n\r\n",
    "host_bad_pct": b"GET / HTTP/1.1\r\nHost: a%4g\r\n\r\nGET / HTTP/1.1\r\nHost: a%4\r\n\r\n",
    "host_pct": b"GET / HTTP/1.1\r\nHost: a%41b:8080\r\n\r\n",
}
for name, payload in HTTP.items():
    write("http_request_fuzz", name, payload)
# Every form of request-target (RFC 9112 §3.2) with the authority's edge cases: a bad or short
# percent-escape in a reg-name, an IP literal unclosed, followed by other than ":", with a
# character it may not hold, IPvFuture, an empty port where one is required.
TARGETS = {
    "connect_bad_pct": b"CONNECT a%4g:443", "connect_short_pct": b"CONNECT a%4:443",
    "connect_pct": b"CONNECT a%41:443", "connect_unclosed": b"CONNECT [::1:443",
    "connect_literal_junk": b"CONNECT [::1]x", "connect_literal_pct": b"CONNECT [fe80::1%25eth0]:443",
    "connect_future": b"CONNECT [v1.a-b]:8443", "connect_no_port": b"CONNECT example.com:",
    "connect_literal_at": b"CONNECT [::@1]:443", "absolute_bad_pct": b"GET http://a%zz/x",
    "absolute_literal": b"GET http://[::1]:8080/p?q", "absolute_userinfo": b"GET http://u@h/",
    "absolute_port_letters": b"GET http://h:8x/", "options_star_get": b"GET *",
}
for name, line in TARGETS.items():
    write("http_request_fuzz", "target-" + name, line + b" HTTP/1.1\r\nHost: h\r\n\r\n", splits=("whole",))
os.makedirs(os.path.join(HERE, "corpus", "ws_handshake_fuzz"), exist_ok=True)
# ws_handshake_fuzz: the first byte holds the policy flags of fuzz/ws_handshake_fuzz.cpp (bit 0: an
# Origin allow-list; bit 1: require Origin; bit 2: server subprotocols), then the request.
HANDSHAKE = {
    "get": HTTP["get"],
    "get10": HTTP["get10"],
    "upgrade": UPGRADE,
    "upgrade_no_key": UPGRADE.replace(b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", b""),
    "upgrade_short_key": UPGRADE.replace(b"dGhlIHNhbXBsZSBub25jZQ==", b"dGhlIHNhbXBsZQ=="),
    "upgrade_v8": UPGRADE.replace(b"Version: 13", b"Version: 8"),
    "post_upgrade": UPGRADE.replace(b"GET", b"POST"),
    "foreign_origin": UPGRADE.replace(b"http://127.0.0.1", b"http://evil.example"),
    "no_origin": UPGRADE.replace(b"Origin: http://127.0.0.1\r\n", b""),
    "connection_list": UPGRADE.replace(b"Connection: Upgrade", b"Connection: keep-alive, upgrade"),
    "body_length": UPGRADE.replace(b"\r\n\r\n", b"\r\nContent-Length: 3\r\n\r\nabc"),
    "body_chunked": UPGRADE.replace(b"\r\n\r\n", b"\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
    "two_keys": UPGRADE.replace(b"Sec-WebSocket-Version", b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version"),
    "no_upgrade": UPGRADE.replace(b"Upgrade: websocket\r\n", b""),
    "no_connection": UPGRADE.replace(b"Connection: Upgrade\r\n", b""),
}
for name, request in HANDSHAKE.items():
    for flags in (0, 7):
        with open(os.path.join(HERE, "corpus", "ws_handshake_fuzz", f"{name}-{flags}"), "wb") as f:
            f.write(bytes([flags]) + request)
# flags bit 3: the accepted upgrade's answer also carries an extension
with open(os.path.join(HERE, "corpus", "ws_handshake_fuzz", "upgrade-15"), "wb") as f:
    f.write(bytes([15]) + UPGRADE)
# Client round trip: 16 nonce bytes, then host/path.
with open(os.path.join(HERE, "corpus", "ws_handshake_fuzz", "client_nonce"), "wb") as f:
    f.write(b"\x00" + bytes(range(16)) + b"127.0.0.1:9001/chat?x=1")
# ... and its extras (flags bits 3-7): an Origin, an extra field (good, a handshake field, a
# non-token name, a CR in the value), subprotocol lists that are not tokens or not unique.
for flags in (0x08, 0x10, 0x20, 0x30, 0x40, 0x80):
    with open(os.path.join(HERE, "corpus", "ws_handshake_fuzz", f"client_extras-{flags:02x}"), "wb") as f:
        f.write(bytes([flags]) + bytes(range(16)) + b"example.com/http://example.com")
with open(os.path.join(HERE, "corpus", "ws_handshake_fuzz", "client_bad_origin"), "wb") as f:
    f.write(b"\x08" + bytes(range(16)) + b"example.com/x\ry")

# http_response_fuzz: a flags byte first (bit 0: the responses answer HEAD), then the split header.
RESPONSES = {
    "switching": (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"),
    "length": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello",
    "chunked": (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: t\r\n\r\n"),
    "until_close": b"HTTP/1.0 200 OK\r\nServer: x\r\n\r\nall the rest is body",
    "keep_alive_pair": (b"HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\nETag: \"a\"\r\n\r\n"
                        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nnop"),
    "no_reason": b"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n",
    "te_not_chunked": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 2\r\n\r\nzz",
    "bad_length": b"HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\nx",
    "too_large": b"HTTP/1.1 200 OK\r\nContent-Length: 99999\r\n\r\n",
    "http2": b"HTTP/2.0 200 OK\r\n\r\n",
    "bare_lf": b"HTTP/1.1 200 OK\nContent-Length: 0\n\n",
    "obs_fold": b"HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n",
}
for name, payload in RESPONSES.items():
    write("http_response_fuzz", name, payload, prefix=b"\x00")
write("http_response_fuzz", "head-length", RESPONSES["length"], splits=("odd",), prefix=b"\x01")


# ---- WebSocket frames -------------------------------------------------------------------
def frame(opcode, payload, fin=True, mask=None, rsv=0, length_form=None):
    b0 = (0x80 if fin else 0) | (rsv << 4) | opcode
    n = len(payload)
    form = length_form or (7 if n < 126 else 16 if n < 65536 else 64)
    m = 0x80 if mask is not None else 0
    if form == 7:
        head = bytes([b0, m | n])
    elif form == 16:
        head = bytes([b0, m | 126]) + struct.pack(">H", n)
    else:
        head = bytes([b0, m | 127]) + struct.pack(">Q", n)
    if mask is None:
        return head + payload
    return head + bytes(mask) + bytes(c ^ mask[i % 4] for i, c in enumerate(payload))


def frames(masked):
    k = (0x37, 0xFA, 0x21, 0x3D) if masked else None
    f = lambda *a, **kw: frame(*a, mask=k, **kw)
    return {
        "text": f(1, b"Hello"),
        "binary_126": f(2, bytes(range(200))),
        "binary_64bit": f(2, b"x" * 300, length_form=64),
        "fragmented": f(1, b"Hel", fin=False) + f(9, b"p") + f(0, b"lo", fin=False) + f(0, b"!"),
        "ping_pong": f(9, b"ping") + f(10, b"pong") + f(1, "é".encode()),
        "close": f(8, struct.pack(">H", 1000) + b"bye"),
        "close_empty": f(8, b""),
        "close_bad_code": f(8, struct.pack(">H", 1005)),
        "close_one_byte": f(8, b"\x03"),
        "bad_utf8": f(1, b"\xed\xa0\x80"),
        "utf8_split": f(1, "κό".encode()[:3], fin=False) + f(0, "κό".encode()[3:]),
        "rsv": f(1, b"x", rsv=4),
        "reserved_op": f(3, b"x"),
        "long_ping": f(9, b"p" * 126),
        "nonminimal": f(2, b"abc", length_form=16),
        "top_bit": bytes([0x82, (0x80 if masked else 0) | 127, 0x80, 0, 0, 0, 0, 0, 0, 1]),
        "wrong_mask": frame(1, b"abc", mask=None if masked else (1, 2, 3, 4)),
        "too_large": f(2, b"z" * 1200),
        "text_then_close": f(1, b"a" * 40) + f(8, struct.pack(">H", 4000) + b"r") + f(1, b"after"),
    }


for name, payload in frames(False).items():
    write("ws_frame_client_fuzz", name, payload)
# ws_frame_server_fuzz: four config bytes first (read_config in fuzz/ws_frame_harness.hpp):
# flags (bit 0 lend buffers, bit 1 held input, bits 2-7 our close after n - 1 events),
# max_message_size / 8, max_frame_size / 8, refused acquisition (>= 4: none).
SERVER = frames(True)
SERVER["three_messages"] = (frame(1, b"one", mask=(1, 2, 3, 4)) + frame(2, b"two" * 50, mask=(5, 6, 7, 8))
                            + frame(1, b"thr", fin=False, mask=(9, 9, 9, 9)) + frame(0, b"ee", mask=(1, 1, 1, 1)))
for name, payload in SERVER.items():
    write("ws_frame_server_fuzz", name, payload, prefix=b"\x00\x00\x00\xff")
    write("ws_frame_server_fuzz", "lent-" + name, payload, splits=("odd",), prefix=b"\x03\x00\x00\x05")
for name in ("fragmented", "binary_126", "binary_64bit", "three_messages", "utf8_split"):
    # max_message_size 128: 1009 for the larger messages, assembled in lent buffers
    write("ws_frame_server_fuzz", "small-" + name, SERVER[name], splits=("odd",), prefix=b"\x01\x10\x00\xff")
    # our close after the first event: what follows is read and dropped
    write("ws_frame_server_fuzz", "ourclose-" + name, SERVER[name], splits=("pairs",), prefix=b"\x0b\x00\x00\xff")
    # the first lent buffer refused: 1011
    write("ws_frame_server_fuzz", "refuse-" + name, SERVER[name], splits=("bytewise",), prefix=b"\x01\x00\x00\x00")
# ws_session_fuzz: the first byte holds the flags of fuzz/ws_session_fuzz.cpp (bit 0: client role;
# bits 1-4: the owner's own sends), then the split header.
for name, payload in frames(True).items():
    write("ws_session_fuzz", name, payload, splits=("whole",), prefix=b"\x00")
    write("ws_session_fuzz", "acting-" + name, payload, splits=("odd",), prefix=b"\x1e")
for name, payload in frames(False).items():
    write("ws_session_fuzz", "client-" + name, payload, splits=("whole",), prefix=b"\x01")
    write("ws_session_fuzz", "client-acting-" + name, payload, splits=("pairs",), prefix=b"\x1d")
# frame_header_fuzz: one frame (header + payload) per seed, masked and not, whole and split
# (the split header there chooses the chunks the payload is unmasked in).
for masked in (True, False):
    for name, payload in frames(masked).items():
        write("frame_header_fuzz", ("masked-" if masked else "plain-") + name, payload, splits=("whole", "odd"))

# ---- Server-Sent Events ------------------------------------------------------------------
SSE = {
    "spec_blocks": b": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n",
    "spec_empty": b"data\n\ndata\ndata\n\ndata:",
    "spec_types": b"event: add\ndata: 73857293\n\nevent: remove\ndata: 2153\n\n",
    "crlf_cr": b"\xef\xbb\xbfid: 7\r\nevent: a\r\ndata: x\r\r\nretry: 10\rdata: y\r\r",
    "id_nul": b"id: 1\n\nid: a\x00b\ndata: x\n\nid\n\n",
    "retry": b"retry: 18446744073709551615\nretry: 18446744073709551616\nretry: 1x\nretry:\n",
    "too_large": b"data: " + b"x" * 70 + b"\n\nid: 123456789\nevent: 123456789\n",
    "bom_prefix": b"\xef\xbbdata: x\n\n\xef\xbb\xbfdata: y\n\n",
}
for name, payload in SSE.items():
    write("sse_parser_fuzz", name, payload, splits=("whole", "bytewise", "odd"))
# sse_roundtrip_fuzz: [flags][id length][event length][retry LE32][id][event][data].
ROUNDTRIP = {
    "all_fields": bytes([7, 2, 3]) + struct.pack("<I", 3000) + b"42add" + b"line1\r\nline2\rline3\n\n end",
    "data_only": bytes([0, 0, 0]) + struct.pack("<I", 0) + b"hello",
    "empty_id": bytes([1, 0, 0]) + struct.pack("<I", 0) + b"x",
    "bad_id": bytes([1, 3, 0]) + struct.pack("<I", 0) + b"a\nbx",
    "nul_event": bytes([2, 0, 3]) + struct.pack("<I", 0) + b"a\x00bx",
    "comment": bytes([8, 0, 0]) + struct.pack("<I", 0) + b"heart\r\nbeat\n",
}
os.makedirs(os.path.join(HERE, "corpus", "sse_roundtrip_fuzz"), exist_ok=True)
for name, payload in ROUNDTRIP.items():
    with open(os.path.join(HERE, "corpus", "sse_roundtrip_fuzz", name), "wb") as f:
        f.write(payload)

# ---- RESP --------------------------------------------------------------------------------
RESP = {
    "types": b"+OK\r\n-ERR unknown command 'x'\r\n:1000\r\n:-9223372036854775808\r\n$5\r\nhello\r\n$0\r\n\r\n$-1\r\n",
    "arrays": b"*2\r\n$3\r\nfoo\r\n$3\r\nbar\r\n*0\r\n*-1\r\n*3\r\n$5\r\nhello\r\n$-1\r\n$5\r\nworld\r\n",
    "nested": b"*2\r\n*3\r\n:1\r\n:2\r\n:3\r\n*2\r\n+Hello\r\n-World\r\n",
    "pubsub": (b"*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n"
               b"*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$11\r\nhello\r\nworld\r\n"
               b">3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n"),
    "binary": b"*2\r\n$7\r\nPUBLISH\r\n$6\r\n\x00\r\n\xff\n\r\r\n",
    "malformed": b"+OK\r\n:12a\r\n$-2\r\n",
    "limits": b"$300\r\n" + b"x" * 300 + b"\r\n*17\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n",
}
for name, payload in RESP.items():
    write("resp_parser_fuzz", name, payload, splits=("whole", "bytewise", "odd"))

# ---- permessage-deflate negotiation -------------------------------------------------------
# ws_deflate_offer_fuzz: [settings / offer bits] then Sec-WebSocket-Extensions lines, read as
# the client's offers (server side) and as the server's answer (client side): each answer
# rule of §7.1 against offers that ask for a server window, no context takeover, or no
# client window.
ANSWERS = {
    "plain": b"permessage-deflate",
    "other": b"x-webkit-deflate-frame",
    "twice": b"permessage-deflate, permessage-deflate",
    "client_bits_no_value": b"permessage-deflate; client_max_window_bits",
    "client_bits_15": b"permessage-deflate; client_max_window_bits=15",
    "server_bits_15": b"permessage-deflate; server_max_window_bits=15",
    "all_small": (b"permessage-deflate; server_max_window_bits=8; server_no_context_takeover; "
                  b"client_max_window_bits=8; client_no_context_takeover"),
    "malformed": b"permessage-deflate; ;\npermessage-deflate; server_max_window_bits=\"9\"",
}
for bits in (0x00, 0x05, 0x1C, 0x21, 0x42, 0xC3):
    for name, line in ANSWERS.items():
        with open(os.path.join(HERE, "corpus", "ws_deflate_offer_fuzz", f"answer-{name}-{bits:02x}"), "wb") as f:
            f.write(bytes([bits]) + line)

# ---- permessage-deflate messages ----------------------------------------------------------
# ws_deflate_fuzz: [agreement] [modes, 2 bits a message] then the split header (each chunk is
# a message). Agreements: context takeover with small windows, none with large ones, mixed;
# modes: every message one way, the other, a peer's bytes, too little room first, all four.
TEXT = b"permessage-deflate keeps a window between messages; " * 6 + bytes(range(256))
def raw_deflate(data, level=6):
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    return (c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH))[:-4]  # RFC 7692 §7.2.1: 00 00 ff ff removed
PEER = raw_deflate(b"Hello" * 40) + raw_deflate(b"\x00" * 300, 1) + b"\x02\x00" + b"\xff\xff\xff"
for agreement in (0x00, 0xFF, 0x1C, 0xE1):
    for modes in (0x00, 0x55, 0xE4, 0xFF):
        with open(os.path.join(HERE, "corpus", "ws_deflate_fuzz", f"messages-{agreement:02x}-{modes:02x}"), "wb") as f:
            f.write(bytes([agreement, modes, 4, 60, 1, 200, 0]) + TEXT)
HELLO = raw_deflate(b"Hello" * 40)
for name, payload in (("peer_valid", HELLO), ("peer_truncated", HELLO[: len(HELLO) // 2])):
    with open(os.path.join(HERE, "corpus", "ws_deflate_fuzz", name), "wb") as f:
        f.write(bytes([0x00, 0x02, 0]) + payload)
# Two whole DEFLATE streams (BFINAL set, §7.2.3.4): with context takeover the second goes on
# from the first one's window.
def final_stream(data):
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(zlib.Z_FINISH)
FINAL = final_stream(b"Hello" * 20)
with open(os.path.join(HERE, "corpus", "ws_deflate_fuzz", "peer_final_blocks"), "wb") as f:
    f.write(bytes([0x00, 0x0A, 1, len(FINAL)]) + FINAL + final_stream(b"Hello" * 30))
with open(os.path.join(HERE, "corpus", "ws_deflate_fuzz", "peer_bytes"), "wb") as f:
    f.write(bytes([0x00, 0xAA, 0]) + PEER)
with open(os.path.join(HERE, "corpus", "ws_deflate_fuzz", "peer_pieces"), "wb") as f:
    f.write(bytes([0xFF, 0xAA, 3, 7, 30, 2]) + PEER)

# ---- DEFLATE streams (inflate_fuzz) --------------------------------------------------------
# Codes longer than the lookup tables' root bits (10 for literal/length, 8 for distances)
# live in sub-tables: symbols with Fibonacci frequencies give Huffman codes up to 15 bits.
def fibonacci(n):
    a, b = 1, 1
    for _ in range(n):
        yield a
        a, b = b, a + b


def raw_stream(data, strategy=zlib.Z_DEFAULT_STRATEGY):
    c = zlib.compressobj(9, zlib.DEFLATED, -15, 9, strategy)
    return c.compress(data) + c.flush()


rng = random.Random(1)
literals = bytearray(b"".join(bytes([65 + i]) * f for i, f in enumerate(fibonacci(16))))
rng.shuffle(literals)
write("inflate_fuzz", "long_literal_codes", raw_stream(bytes(literals), zlib.Z_HUFFMAN_ONLY), splits=("whole", "odd"))
distances = [d for d, f in zip((1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64), fibonacci(12)) for _ in range(f)]
rng.shuffle(distances)
matches = bytearray(rng.randrange(256) for _ in range(64))
for d in distances:
    matches += matches[-d:][:4] if d >= 4 else bytes(matches[-d:] * 4)[:4]
    matches.append(rng.randrange(256))
write("inflate_fuzz", "long_distance_codes", raw_stream(bytes(matches)), splits=("whole", "odd"))

# ---- trusted_proxies entries (forwarded_fuzz) ----------------------------------------------
# forwarded_fuzz: [peer] then lines, [name byte][value]; every value is also read as a
# trusted_proxies entry: prefixes inside a byte, bracketed and mapped IPv6, bad prefix lengths.
ENTRIES = [b"10.1.2.3/12", b"fd00::/7", b"[::1]", b"::ffff:10.0.0.1/100", b"1.2.3.4/33", b"1.2.3.4/",
           b"1.2.3.4/x", b"::1/129", b"0.0.0.0/0", b"not-an-ip"]
with open(os.path.join(HERE, "corpus", "forwarded_fuzz", "trusted_proxies_entries"), "wb") as f:
    f.write(b"\x00" + b"\n".join(b"P" + e for e in ENTRIES))

# ---- the client's handshake above proto/ (client_response_stream_fuzz) ----------------------
# [offer] then the split header: offer 3 (no subprotocol, an Origin and an extra field) with an
# accepted 101 ("@@@@" becomes the right accept), a 404 whose reason and Location end in spaces.
write("client_response_stream_fuzz", "extras_101",
      b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      b"Sec-WebSocket-Accept: @@@@\r\n\r\n\x81\x02hi", splits=("whole",), prefix=b"\x03")
write("client_response_stream_fuzz", "reason_spaces",
      b"HTTP/1.1 404 Not Found \r\nLocation: /moved \r\nContent-Length: 2\r\n\r\nno", splits=("whole",), prefix=b"\x00")
