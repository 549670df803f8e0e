// A WebSocket server on Node's `ws` (test/node_modules, installed by test/setup.sh), for the
// client suite (test/client/run.sh): a server nobody here wrote, whose behaviour each path
// picks. Listens on 127.0.0.1, a free port, and prints "PORT n" once ready; lines
// "CLIENT-CLOSE code reason" report the close each /client-close conversation got.
//
//   the same paths as py_server.py (/echo /kind /sizes /fragments /ping /close/CODE
//   /client-close /headers /status/CODE), and
//   /pings      counts the client's pings for 1.5 s, answers "pings N", closes 1000
import http from 'node:http';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const require = createRequire(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'package.json'));
const { WebSocketServer } = require('ws');

const SIZES = [0, 125, 126, 65535, 65536, 100000];
const server = http.createServer((req, res) => { res.writeHead(426); res.end(); });
const wss = new WebSocketServer({
  noServer: true,
  maxPayload: 64 * 1024 * 1024,
  handleProtocols: (offered) => (offered.has('chat') ? 'chat' : false),
});

server.on('upgrade', (req, socket, head) => {
  const url = req.url;
  if (url.startsWith('/status/')) {
    const code = Number(url.slice('/status/'.length));
    const bodies = { 200: 'a plain page, not a websocket\n', 403: 'forbidden by the node server\n', 302: 'moved\n' };
    const body = bodies[code] ?? 'status\n';
    const location = code === 302 ? 'Location: http://elsewhere.test/\r\n' : '';
    socket.end(`HTTP/1.1 ${code} ${http.STATUS_CODES[code]}\r\n${location}Content-Type: text/plain\r\n` +
               `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => serve(ws, req));
});

function serve(ws, req) {
  const url = req.url;
  if (url === '/echo') {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  } else if (url === '/kind') {
    ws.on('message', (data, isBinary) => ws.send(`${isBinary ? 'binary' : 'text'} ${data.length}`));
  } else if (url === '/sizes') {
    for (const n of SIZES) ws.send('a'.repeat(n));
    for (const n of SIZES) ws.send(Buffer.alloc(n, 'b'), { binary: true });
    ws.close(1000, 'sizes sent');
  } else if (url === '/fragments') {
    ws.send('Hel', { fin: false });
    ws.send('lo, ', { fin: false });
    ws.send('world', { fin: true });
    ws.send(Buffer.from('binary-'), { binary: true, fin: false });
    ws.send(Buffer.from('fragments'), { binary: true, fin: true });
    ws.close(1000);
  } else if (url === '/ping') {
    const timer = setTimeout(() => { ws.send('no pong'); ws.close(1000); }, 5000);
    ws.on('pong', (data) => {
      clearTimeout(timer);
      ws.send(data.toString() === 'probe' ? 'pong received' : `pong with ${data.toString()}`);
      ws.close(1000);
    });
    ws.ping('probe');
  } else if (url.startsWith('/close/')) {
    ws.close(Number(url.slice('/close/'.length)), 'bye from server');
  } else if (url === '/client-close') {
    ws.on('close', (code, reason) => console.log(`CLIENT-CLOSE ${code} ${reason.toString()}`));
  } else if (url === '/headers') {
    ws.send(`X-Test=${req.headers['x-test'] ?? ''} subprotocol=${ws.protocol}`);
  } else if (url === '/pings') {
    let pings = 0;
    ws.on('ping', () => { pings += 1; });
    setTimeout(() => { ws.send(`pings ${pings}`); ws.close(1000); }, 1500);
  } else {
    ws.close(1008, 'no such path');
  }
}

server.listen(0, '127.0.0.1', () => console.log(`PORT ${server.address().port}`));
process.on('SIGTERM', () => process.exit(0));
