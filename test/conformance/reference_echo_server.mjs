// Reference echo server on Node's ws (test/node_modules): the same contract as sluice's demo
// route /ws, so the suites can be checked against a strict, well-known implementation.
//   text and binary echoed as received; messages up to 16 MiB; a peer's close answered with
//   the same code and reason (ws does this itself); ping answered with pong (ws autoPong).
// Usage: node reference_echo_server.mjs --host 127.0.0.1 --port N
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'package.json'));
const { WebSocketServer } = require('ws');

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const host = opt('--host', '127.0.0.1');
const port = Number(opt('--port', '0'));

const wss = new WebSocketServer({ host, port, path: '/ws', maxPayload: 16 * 1024 * 1024,
                                  perMessageDeflate: false,
                                  // ws drops a peer with more than 60 unanswered pings in flight;
                                  // case 2.4a sends 126 pings in one write.
                                  maxPendingAutoPongs: 1000,
                                  // ws caps a message at 16384 fragments; 9.3.1 sends 65536.
                                  maxFragments: 1 << 20 });
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on('error', (err) => console.error(`ws error: ${err.message}`));
});
wss.on('listening', () => console.log(`reference echo server on ${host}:${wss.address().port}`));
const stop = () => wss.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
