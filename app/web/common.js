// Shared by the demo pages: the WebSocket URL for a path on this server, and a status line.
'use strict';

function wsUrl(path) {
  return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + path;
}

function setStatus(el, text, state) {
  el.textContent = text;
  el.className = 'status ' + (state || '');
}

// Opens a WebSocket on `path`, reports its state in `statusEl`, and calls onMessage with
// each parsed JSON message (or the raw text if it is not JSON).
function connect(path, statusEl, onMessage) {
  const ws = new WebSocket(wsUrl(path));
  setStatus(statusEl, 'connecting to ' + path + ' ...');
  ws.addEventListener('open', () => setStatus(statusEl, 'connected to ' + path, 'open'));
  ws.addEventListener('close', (e) => setStatus(statusEl, 'closed (' + e.code + ')', 'closed'));
  ws.addEventListener('error', () => setStatus(statusEl, 'connection error', 'closed'));
  ws.addEventListener('message', (e) => {
    let data = e.data;
    try { data = JSON.parse(e.data); } catch (_) { /* not JSON: pass the text */ }
    onMessage(data);
  });
  return ws;
}
