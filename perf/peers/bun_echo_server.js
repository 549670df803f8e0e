// Bun's built-in WebSocket server (uWebSockets inside), the peer perf/bench_load.sh measures
// sluice against. Never part of sluice.
//   bun perf/peers/bun_echo_server.js PORT
// Routes: /ws echoes every message with its opcode; /fanout subscribes every connection to
// one topic, and every message received there is published to all the others (the sender
// excluded, as uWebSockets' ws.publish does).
const port = Number(process.argv[2] || 9001);
const kTopic = "fanout";

Bun.serve({
  hostname: "127.0.0.1",
  port,
  fetch(req, server) {
    const path = new URL(req.url).pathname;
    if (server.upgrade(req, { data: { fanout: path === "/fanout" } })) return undefined;
    return new Response("websocket only\n", { status: 426 });
  },
  websocket: {
    maxPayloadLength: 16 * 1024 * 1024,
    idleTimeout: 0,
    perMessageDeflate: false,
    backpressureLimit: 64 * 1024 * 1024,
    open(ws) {
      if (ws.data.fanout) ws.subscribe(kTopic);
    },
    message(ws, message) {
      if (ws.data.fanout) ws.publish(kTopic, message);
      else ws.send(message);
    },
  },
});
console.log(`bun echo listening on 127.0.0.1:${port}`);
