// Reference echo server on Node's ws (test/node_modules): the same contract as sluice's demo
// route /ws, so the suites can be checked against a strict, well-known implementation.
//   text and binary echoed as received; messages up to 16 MiB; a peer's close answered with
//   the same code and reason (ws does this itself); ping answered with pong (ws autoPong).
// Usage: node reference_echo_server.mjs --host 127.0.0.1 --port N
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import http from 'node:http';

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

// /ws: permessage-deflate without context takeover (sluice's default, shared memory);
// /ws-takeover: with it (sluice's dedicated memory): groups 12 and 13 of the suite.
const common = { noServer: true, maxPayload: 16 * 1024 * 1024,
                 // ws drops a peer with more than 60 unanswered pings in flight;
                 // case 2.4a sends 126 pings in one write.
                 maxPendingAutoPongs: 1000,
                 // ws caps a message at 16384 fragments; 9.3.1 sends 65536.
                 maxFragments: 1 << 20 };
const routes = {
  '/ws': new WebSocketServer({ ...common, perMessageDeflate: { threshold: 64, serverNoContextTakeover: true,
                                                               clientNoContextTakeover: true } }),
  '/ws-takeover': new WebSocketServer({ ...common, perMessageDeflate: { threshold: 64 } }),
};
for (const wss of Object.values(routes)) {
  wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    ws.on('error', (err) => console.error(`ws error: ${err.message}`));
  });
}
const server = http.createServer((req, res) => { res.writeHead(404); res.end(); });
server.on('upgrade', (req, socket, head) => {
  const wss = routes[new URL(req.url, 'http://x').pathname];
  if (!wss) { socket.destroy(); return; }
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
});
server.listen(port, host, () => console.log(`reference echo server on ${host}:${server.address().port}`));
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
