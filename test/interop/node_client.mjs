// Interop: Node's `ws` client (test/node_modules) against the server's echo route. Text and
// binary messages of 0 B .. 1 MiB echoed byte for byte, a ping answered by a pong, and a
// clean close whose code and reason the server echoes back.
// permessage-deflate (RFC 7692), --deflate:
//   off          perMessageDeflate false: no Sec-WebSocket-Extensions may come back
//   on           perMessageDeflate true (ws's default offer, client_max_window_bits)
//   no-takeover  client_no_context_takeover and server_no_context_takeover offered
// and the answer is checked against --expect (the parameters the route must agree to:
// "shared" = both no_context_takeover, "takeover" = neither, "asked" = what was offered).
// Usage: node node_client.mjs --port P [--host 127.0.0.1] [--path /ws] [--deflate off|on|no-takeover]
//                             [--expect shared|takeover|asked]
// One line per check (PASS/FAIL node ...), last line exactly "N passed, M failed".
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'package.json'));
const WebSocket = require('ws');

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const url = `ws://${opt('--host', '127.0.0.1')}:${opt('--port', '0')}${opt('--path', '/ws')}`;
const SIZES = [0, 125, 126, 65535, 65536, 1 << 20];
const deflate = opt('--deflate', 'off');
const expect = opt('--expect', 'shared');
const perMessageDeflate = deflate === 'off' ? false
  : deflate === 'on' ? { threshold: 0 }
    : { threshold: 0, clientNoContextTakeover: true, serverNoContextTakeover: true };
const tag = deflate === 'off' ? 'node' : `node deflate=${deflate}`;
const STEP_TIMEOUT_MS = 10000;

let passed = 0;
let failed = 0;
function check(name, ok, why = '') {
  if (ok) { passed += 1; console.log(`PASS ${tag} ${name}`); } else { failed += 1; console.log(`FAIL ${tag} ${name} : ${why}`); }
}

// n UTF-8 bytes with multi-byte characters in them.
function textOf(n) {
  const unit = 'js-\u00e9\u20ac\u{1F980}|'; // 3 + 2 + 3 + 4 + 1 = 13 bytes
  const whole = unit.repeat(Math.floor(n / 13));
  return whole + 'x'.repeat(n - Buffer.byteLength(whole));
}
function bytesOf(n) {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i += 1) b[i] = (i * 31 + 7) & 0xff;
  return b;
}

// Events in arrival order, awaited one at a time.
function eventQueue(ws) {
  const items = [];
  const waiters = [];
  const push = (item) => { const w = waiters.shift(); if (w) w(item); else items.push(item); };
  ws.on('message', (data, isBinary) => push({ kind: 'message', data, isBinary }));
  ws.on('pong', (data) => push({ kind: 'pong', data }));
  ws.on('close', (code, reason) => push({ kind: 'close', code, reason: reason.toString() }));
  ws.on('error', (err) => push({ kind: 'error', err }));
  return () => new Promise((resolve) => {
    if (items.length) { resolve(items.shift()); return; }
    const waiter = (item) => { clearTimeout(timer); resolve(item); };
    const timer = setTimeout(() => {
      waiters.splice(waiters.indexOf(waiter), 1);
      resolve({ kind: 'timeout' });
    }, STEP_TIMEOUT_MS);
    waiters.push(waiter);
  });
}
const show = (ev) => (ev.kind === 'error' ? `error ${ev.err.message}` : ev.kind === 'close' ? `close ${ev.code} '${ev.reason}'` : ev.kind);

async function main() {
  const ws = new WebSocket(url, { maxPayload: 32 << 20, perMessageDeflate });
  let answer = '';
  ws.once('upgrade', (res) => { answer = res.headers['sec-websocket-extensions'] ?? ''; });
  const next = eventQueue(ws);
  const opened = await new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), STEP_TIMEOUT_MS);
    ws.once('open', () => { clearTimeout(timer); resolve('open'); });
    ws.once('error', (err) => { clearTimeout(timer); resolve(err.message); });
  });
  check('connect: handshake accepted', opened === 'open', opened);
  if (opened !== 'open') return;
  // RFC 7692 §7.1: the server's answer (the 101's Sec-WebSocket-Extensions).
  if (deflate === 'off') {
    check('no extension offered, none answered', answer === '', `got '${answer}'`);
  } else {
    const has = (p) => answer.split(/[;,]/).map((x) => x.trim()).includes(p);
    const want = expect === 'shared' ? [true, true] : expect === 'takeover' ? [false, false] : [deflate === 'no-takeover', deflate === 'no-takeover'];
    check(`permessage-deflate answered (${expect})`,
      has('permessage-deflate') && has('server_no_context_takeover') === want[0] &&
        has('client_no_context_takeover') === want[1], `got '${answer}'`);
  }

  for (const [kind, make] of [['text', textOf], ['binary', bytesOf]]) {
    for (const n of SIZES) {
      const name = `${kind} ${n} B echoed byte for byte`;
      const sent = make(n);
      ws.send(sent, { binary: kind === 'binary' });
      const ev = await next();
      if (ev.kind !== 'message') { check(name, false, `got ${show(ev)}`); continue; }
      if (ev.isBinary !== (kind === 'binary')) { check(name, false, `came back as ${ev.isBinary ? 'binary' : 'text'}`); continue; }
      const want = Buffer.isBuffer(sent) ? sent : Buffer.from(sent, 'utf8');
      check(name, want.equals(ev.data), `${ev.data.length} back for ${want.length} sent`);
    }
  }

  // Many similar messages in a row: with context takeover each refers to the ones before.
  let same = 0;
  for (let i = 0; i < 50; i += 1) {
    const msg = JSON.stringify({ seq: i, user: 'ann', room: 'lobby', text: `hello number ${i}`, at: 1733360000 + i });
    ws.send(msg);
    const ev = await next();
    if (ev.kind === 'message' && !ev.isBinary && ev.data.toString() === msg) same += 1;
  }
  check('50 similar JSON messages echoed in order', same === 50, `${same} of 50`);

  ws.ping(Buffer.from('node-ping'));
  const pong = await next();
  check('ping answered by a pong with the same payload',
    pong.kind === 'pong' && pong.data.toString() === 'node-ping', `got ${show(pong)}`);

  ws.close(4001, 'bye');
  const closed = await next();
  check("close 4001 'bye': the server's close carries the same code and reason",
    closed.kind === 'close' && closed.code === 4001 && closed.reason === 'bye', `got ${show(closed)}`);
  if (closed.kind !== 'close') ws.terminate();
}

main()
  .catch((err) => check('client ran to the end', false, err.stack))
  .finally(() => {
    console.log(`${passed} passed, ${failed} failed`);
    process.exitCode = failed ? 1 : 0;
  });
