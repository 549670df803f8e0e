// The collaborative editor (protocol: app/demo/collab.hpp). Positions are Unicode code
// points. The page keeps `shadow`, the text at the last server version it knows; what the
// textarea holds beyond it is our own change, sent as one splice at a time (the next one
// after the server's echo of the previous). A remote edit is applied to the textarea after
// shifting it past our unsent change, with the same rule the server uses, so every page
// converges on the server's text.
'use strict';

const doc = document.getElementById('doc');
const info = document.getElementById('info');
const log = document.getElementById('log');
let shadow = '';
let version = 0;
let me = null;
let editors = 0;
let inflight = false;

const points = (s) => Array.from(s);

// The splice turning a into b: common prefix and suffix kept.
function diff(a, b) {
  const A = points(a), B = points(b);
  let p = 0;
  while (p < A.length && p < B.length && A[p] === B[p]) ++p;
  let ea = A.length, eb = B.length;
  while (ea > p && eb > p && A[ea - 1] === B[eb - 1]) { --ea; --eb; }
  return { pos: p, del: ea - p, text: B.slice(p, eb).join('') };
}

function applySplice(s, e) {
  const A = points(s);
  A.splice(e.pos, e.del, ...points(e.text));
  return A.join('');
}

// Shifts edit e (made before `applied`) to apply after it; app/demo/collab.cpp's rule.
// editFirst: on a tie (both insert at one place) e goes before `applied`.
function transform(e, applied, editFirst) {
  const ins = points(applied.text).length;
  const aEnd = e.pos + e.del, bEnd = applied.pos + applied.del;
  if (aEnd < applied.pos || (aEnd === applied.pos && (e.pos < applied.pos || editFirst))) return { ...e };
  if (e.pos >= bEnd) return { ...e, pos: e.pos - applied.del + ins };
  if (e.pos < applied.pos) return { ...e, del: applied.pos - e.pos };
  return { ...e, pos: applied.pos + ins, del: aEnd > bEnd ? aEnd - bEnd : 0 };
}

// Caret positions are UTF-16 indices; convert through code points.
function toPoints(s, i) { return points(s.slice(0, i)).length; }
function toUnits(s, p) { return points(s).slice(0, p).join('').length; }

function shiftCaret(c, e) {
  const ins = points(e.text).length;
  if (c >= e.pos + e.del) return c - e.del + ins;
  if (c > e.pos) return e.pos + ins;
  return c;
}

function showInfo() {
  info.textContent = 'version ' + version + ' \u00b7 ' + editors + ' editor(s) \u00b7 you are ' + (me || '?');
  doc.dataset.version = String(version);
}

let ws;
function maybeSend() {
  if (inflight || ws.readyState !== WebSocket.OPEN || doc.value === shadow) return;
  const d = diff(shadow, doc.value);
  ws.send(JSON.stringify({ type: 'edit', base: version, pos: d.pos, del: d.del, text: d.text }));
  inflight = true;
}

function onEdit(m) {
  if (m.version !== version + 1) {   // a gap: ask for the whole text again
    ws.send(JSON.stringify({ type: 'sync' }));
    return;
  }
  const local = doc.value;
  if (m.by === me) {
    inflight = false;                // our splice, as the server applied it
  } else {
    const mine = diff(shadow, local);
    const remote = transform(m, mine, true);
    const start = toPoints(local, doc.selectionStart), end = toPoints(local, doc.selectionEnd);
    const next = applySplice(local, remote);
    doc.value = next;
    doc.setSelectionRange(toUnits(next, shiftCaret(start, remote)), toUnits(next, shiftCaret(end, remote)));
    log.textContent = m.by + ' edited (version ' + m.version + ')';
  }
  shadow = applySplice(shadow, m);
  version = m.version;
  showInfo();
  maybeSend();
}

ws = connect('/collab', document.getElementById('status'), (m) => {
  switch (m.type) {
    case 'snapshot':
      shadow = m.text; version = m.version; me = m.client_id; editors = m.editors; inflight = false;
      doc.value = shadow;
      doc.disabled = false;
      showInfo();
      break;
    case 'edit': onEdit(m); break;
    case 'editor_joined': editors = m.editors; log.textContent = m.client_id + ' joined'; showInfo(); break;
    case 'editor_left': editors = m.editors; log.textContent = m.client_id + ' left'; showInfo(); break;
    case 'error':
      log.textContent = 'server: ' + m.message;
      inflight = false;
      ws.send(JSON.stringify({ type: 'sync' }));
      break;
  }
});
ws.addEventListener('close', () => { doc.disabled = true; });
doc.addEventListener('input', maybeSend);
