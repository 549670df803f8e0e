// Node's `ws` WebSocket server, a peer perf/bench_load.sh measures sluice against.
// Never part of sluice.
//   node perf/peers/ws_echo_server.mjs PORT
// Routes: /ws echoes every message with its opcode; /fanout sends every message received
// there to every other connection on /fanout (the sender excluded).
import { WebSocketServer } from "ws";

const port = Number(process.argv[2] || 9002);
const fanout = new Set();
const server = new WebSocketServer({
  host: "127.0.0.1",
  port,
  perMessageDeflate: false,
  maxPayload: 16 * 1024 * 1024,
  clientTracking: false,
});

server.on("connection", (ws, req) => {
  const onFanout = req.url === "/fanout";
  if (onFanout) fanout.add(ws);
  ws.on("message", (data, isBinary) => {
    if (!onFanout) {
      ws.send(data, { binary: isBinary });
      return;
    }
    for (const peer of fanout) if (peer !== ws) peer.send(data, { binary: isBinary });
  });
  ws.on("close", () => fanout.delete(ws));
  ws.on("error", () => fanout.delete(ws));
});
server.on("listening", () => console.log(`ws echo listening on 127.0.0.1:${port}`));
