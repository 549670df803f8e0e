// The chat page: /chat speaks JSON (see app/demo/chat.hpp); we send plain text.
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

const ws = connect('/chat', document.getElementById('status'), (m) => {
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
});

document.getElementById('form').addEventListener('submit', (e) => {
  e.preventDefault();
  if (input.value && ws.readyState === WebSocket.OPEN) {
    ws.send(input.value);
    input.value = '';
  }
});
