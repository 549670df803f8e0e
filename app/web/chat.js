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

const ws = connect('/chat', document.getElementById('status'), (m) => {
  switch (m.type) {
    case 'welcome':
      me.textContent = 'You are ' + m.client + ' (' + m.members + ' in the room)';
      add('notice', '', 'Welcome to chat, client: ' + m.client);
      break;
    case 'join': add('notice', '', m.client + ' joined (' + m.members + ' in the room)'); break;
    case 'leave': add('notice', '', m.client + ' left (' + m.members + ' in the room)'); break;
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
