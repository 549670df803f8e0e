"""Autobahn's groups 12 and 13: permessage-deflate (RFC 7692) echoes, written from
Autobahn's case descriptions (case12_x_x.py). Each case sends messages of one size, one at
a time, compressed with our zlib side of the agreement (auto-fragmented when the case says
so), and requires every echo back byte for byte with the message's type, then a clean close.

  12.j.i  data set j (5: human text, a bitmap, a PDF-like mix, JSON, HTML), the default offer
          "permessage-deflate; client_no_context_takeover; client_max_window_bits"
  13.j.i  JSON, offer j of Autobahn's 7 (server_no_context_takeover and server_max_window_bits
          8 or 15, one offer or three in order), against the context-takeover echo route
  i       the 18 (size, auto-fragment) pairs of Autobahn's MSG_SIZES

Autobahn's data files are not here: each set is generated (deterministic) with the same
character. Autobahn sends 1000 messages per case; we send count(size) (1000 up to 256 B,
then fewer, at least 8: a case stays well under a second) unless --full-compression.
Strict: the answer is checked against RFC 7692 section 7.1 (pmdeflate.check_answer), the
server must compress with the agreed window (our inflater has exactly that window), RSV1
only on a message's first frame, and every echo is inflated and compared.
"""

import json
import random
import sys

from pmdeflate import Offer
from wsclient import OP_BINARY, OP_TEXT, CaseFailed

MSG_SIZES = [  # (payload length, auto-fragment size), Autobahn's MSG_SIZES
    (16, 0), (64, 0), (256, 0), (1024, 0), (4096, 0), (8192, 0), (16384, 0), (32768, 0),
    (65536, 0), (131072, 0),
    (8192, 256), (16384, 256), (32768, 256), (65536, 256), (131072, 256),
    (131072, 1024), (131072, 4096), (131072, 32768),
]

FULL = "--full-compression" in sys.argv  # Autobahn's 1000 messages per case (read at import: the names say it)


def count(size):
    if FULL:
        return 1000
    return max(8, min(1000, (256 << 10) // size))


# ---- the data sets (Autobahn: Faust, Lena, a PDF, JSON, HTML) ------------------------------

_WORDS = ("Habe nun, ach! Philosophie, Juristerei und Medizin, und leider auch Theologie "
          "durchaus studiert, mit heißem Bemühn. Da steh ich nun, ich armer Tor! Und bin so "
          "klug als wie zuvor; heiße Magister, heiße Doktor gar und ziehe schon an die zehen "
          "Jahr herauf, herab und quer und krumm meine Schüler an der Nase herum").split()


def _human_text(n, rng):
    out, line, size = [], 0, 0
    while size < n:
        w = rng.choice(_WORDS) + " "
        line += len(w)
        if line > 70:
            w += "\n"
            line = 0
        out.append(w)
        size += len(w)
    return "".join(out).encode()


def _bitmap(n, rng):
    """A 512-wide 8-bit greyscale picture: smooth gradients and a little noise, like a photo."""
    head = b"BM" + bytes(52)
    rows = []
    for y in range(n // 512 + 1):
        rows.append(bytes((((x * 3 + y * 5) // 7 + rng.randrange(6)) & 0xFF) for x in range(512)))
    return (head + b"".join(rows))[:n]


def _pdf_like(n, rng):
    """Text objects between compressed-looking (random) streams, as in a PDF."""
    out = bytearray(b"%PDF-1.4\n")
    i = 0
    while len(out) < n:
        i += 1
        out += f"{i} 0 obj\n<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 5 0 R >> >> >>\nendobj\n".encode()
        out += b"stream\n" + rng.randbytes(rng.randrange(200, 2000)) + b"\nendstream\n"
    return bytes(out[:n])


def _json(n, rng):
    records = []
    size = 0
    while size < n:
        r = {"id": len(records), "name": rng.choice(_WORDS), "active": rng.random() < 0.5,
             "score": round(rng.random() * 1000, 3), "tags": rng.sample(_WORDS, 3),
             "address": {"city": rng.choice(["Berlin", "München", "Köln", "Zürich"]),
                         "zip": f"{rng.randrange(10000, 99999)}"}}
        records.append(r)
        size += 200
    return json.dumps(records, ensure_ascii=False, indent=1).encode()


def _html(n, rng):
    out = ["<!DOCTYPE html>\n<html><head><title>Daten</title></head><body>\n<table>\n"]
    size = 0
    while size < n:
        out.append(f'<tr class="row"><td><a href="/item/{rng.randrange(1 << 20)}">'
                   f'{rng.choice(_WORDS)}</a></td><td>{rng.random():.4f}</td></tr>\n')
        size += len(out[-1])
    return "".join(out).encode()


DATA_SETS = [  # (description, generator, binary): Autobahn's order
    ("human readable text (German), sent binary", _human_text, True),
    ("a 512x512 greyscale bitmap, binary", _bitmap, True),
    ("a PDF-like mix of text and random streams, binary", _pdf_like, True),
    ("JSON, UTF-8 text", _json, False),
    ("HTML, UTF-8 text", _html, False),
]
_cache = {}


def data_set(j):
    if j not in _cache:
        desc, make, binary = DATA_SETS[j]
        data = make(300 << 10, random.Random(12 + j))
        if not binary:
            # the window may cut a multi-byte character: keep ASCII-only windows valid by
            # replacing non-ASCII (Autobahn's text files are read as bytes the same way;
            # the echo route would fail a message cut inside a character with 1007)
            data = data.decode().encode("ascii", "replace")
        _cache[j] = data
    return _cache[j]


def run_messages(c, data, binary, size, fragment, n):
    """Autobahn's sendOne/onMessage: message k is data[k*size:(k+1)*size], wrapping."""
    op = OP_BINARY if binary else OP_TEXT
    if c.deflate is None:
        raise CaseFailed("the server declined permessage-deflate")
    at = 0
    for _ in range(n):
        end = (at + size) % len(data)
        msg = data[at:end] if end > at else data[at:] + data[:end]
        at = end
        c.send_frames(c.compressed_frames(op, msg, fragment), "whole")
        c.expect_message(op, msg)
    c.close_normally()


# ---- 13: Autobahn's client offers (DEFLATE_PARAMS) ------------------------------------------

OFFERS_13 = [
    [Offer()],
    [Offer(server_no_context_takeover=True)],
    [Offer(server_max_window_bits=8)],
    [Offer(server_max_window_bits=15)],
    [Offer(server_no_context_takeover=True, server_max_window_bits=8)],
    [Offer(server_no_context_takeover=True, server_max_window_bits=15)],
    [Offer(server_no_context_takeover=True, server_max_window_bits=8),
     Offer(server_no_context_takeover=True), Offer()],
]


def register(add, takeover_path):
    """Adds the cases through conformance.add(cid, desc, fn, timeout, offers=, path=)."""
    for j, (desc, _, binary) in enumerate(DATA_SETS):
        for i, (size, frag) in enumerate(MSG_SIZES, 1):
            def run(c, j=j, binary=binary, size=size, frag=frag):
                run_messages(c, data_set(j), binary, size, frag, count(size))
            add(f"12.{j + 1}.{i}", f"{count(size)} compressed messages of {size} B ({desc}), "
                f"auto-fragment {frag}, default offer -> echoes", run, 30, offers=[Offer()])
    for j, offers in enumerate(OFFERS_13):
        what = " then ".join(o.describe() for o in offers)
        for i, (size, frag) in enumerate(MSG_SIZES, 1):
            def run(c, size=size, frag=frag):
                run_messages(c, data_set(3), False, size, frag, count(size))
            add(f"13.{j + 1}.{i}", f"{count(size)} compressed JSON messages of {size} B, auto-fragment "
                f"{frag}, offer {what}, context-takeover route -> echoes", run, 30,
                offers=offers, path=takeover_path)
