// The chat page: /chat speaks JSON (see app/demo/chat.hpp). It arrives over WebSocket,
// Server-Sent Events or long-polling (transport.js; ?transport=ws|sse|poll forces one);
// over WebSocket we send plain text, otherwise a POST to /publish/chat with our name.
'use strict';

const messages = document.getElementById('messages');
const input = document.getElementById('input');
const me = document.getElementById('me');

function add(kind, from, text) {
  const line = document.createElement('div');
  line.className = 'msg ' + kind;
  if (from) {
    const who = document.createElement('span');
    who.className = 'from';
    who.textContent = from;
    line.appendChild(who);
  }
  line.appendChild(document.createTextNode(text));
  messages.appendChild(line);
  messages.scrollTop = messages.scrollHeight;
}

// The header's room count follows every join and leave. Notices of two changes made on two
// server threads may arrive in either order: the one with the higher "presence" number is
// the newer, so an older one never overwrites the count.
let myName = '';
let presence = 0;
function showCount(m) {
  if (typeof m.presence !== 'number' || m.presence < presence) return;
  presence = m.presence;
  me.textContent = 'You are ' + myName + ' (' + m.members + ' in the room)';
  me.dataset.members = String(m.members);
}

const status = document.getElementById('status');
const forced = new URLSearchParams(location.search).get('transport');
const guest = 'guest-' + Math.random().toString(36).slice(2, 8);
function onChat(m) {
  switch (m.type) {
    case 'welcome':
      myName = m.client;
      showCount(m);
      add('notice', '', 'Welcome to chat, client: ' + m.client);
      break;
    case 'join':
      showCount(m);
      add('notice', '', m.client + ' joined (' + m.members + ' in the room)');
      break;
    case 'leave':
      showCount(m);
      add('notice', '', m.client + ' left (' + m.members + ' in the room)');
      break;
    case 'message': add('', m.from, m.text); break;
    case 'error': add('error', '', m.message); break;
    default: add('notice', '', String(m && m.type ? JSON.stringify(m) : m));
  }
}
const transport = new Transport({
  ws: '/chat', sse: '/sse/chat', poll: '/poll/chat', publish: '/publish/chat',
  force: ['ws', 'sse', 'poll'].includes(forced) ? forced : '',
  publishBody: (text) => JSON.stringify({ from: myName, text }),
  onMessage: (text) => {
    let m = text;
    try { m = JSON.parse(text); } catch (_) { /* not JSON: shown as is */ }
    onChat(m);
  },
  onReset: () => add('notice', '', 'some messages were missed while away'),
  onState: (kind, state) => {
    status.dataset.transport = kind;
    status.dataset.state = state;
    setStatus(status, state + ' via ' + TRANSPORT_NAMES[kind], state === 'open' ? 'open' : state === 'failed' ? 'closed' : '');
    // Over SSE and long-polling there is no welcome: our name is our own.
    if (kind !== 'ws' && state === 'open' && !myName) {
      myName = guest;
      me.textContent = 'You are ' + myName + ' (via ' + TRANSPORT_NAMES[kind] + ')';
    }
  },
});

document.getElementById('form').addEventListener('submit', (e) => {
  e.preventDefault();
  if (input.value && myName && transport.send(input.value)) input.value = '';
});
