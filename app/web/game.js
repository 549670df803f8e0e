// The game board (protocol: app/demo/game.hpp). Positions are absolute and every event has
// the board's sequence number, so an event older than what we hold is ignored.
'use strict';

const boardEl = document.getElementById('board');
const info = document.getElementById('info');
const players = new Map();   // id -> {x, y}
let me = null, width = 0, height = 0, sequence = 0;

function colour(id) {
  let h = 0;
  for (const c of id) h = (h * 31 + c.codePointAt(0)) % 360;
  return 'hsl(' + h + ', 65%, 45%)';
}

function render() {
  boardEl.style.gridTemplateColumns = 'repeat(' + width + ', 28px)';
  const cells = [];
  for (let i = 0; i < width * height; ++i) cells.push(document.createElement('div'));
  for (const [id, p] of players) {
    const cell = cells[p.y * width + p.x];
    if (!cell) continue;
    cell.style.background = colour(id);
    cell.textContent = id === me ? 'you' : id.replace('client_', '');
  }
  boardEl.replaceChildren(...cells);
  info.textContent = players.size + ' player(s) \u00b7 you are ' + me + ' \u00b7 sequence ' + sequence;
}

const ws = connect('/game', document.getElementById('status'), (m) => {
  if (m.type !== 'welcome' && m.sequence !== undefined && m.sequence <= sequence) return;
  switch (m.type) {
    case 'welcome':
      me = m.player_id; width = m.board.width; height = m.board.height; sequence = m.sequence;
      for (const p of m.players) players.set(p.id, { x: p.x, y: p.y });
      break;
    case 'player_joined': players.set(m.player.id, { x: m.player.x, y: m.player.y }); sequence = m.sequence; break;
    case 'player_moved': players.set(m.player_id, { x: m.x, y: m.y }); sequence = m.sequence; break;
    case 'player_left': players.delete(m.player_id); sequence = m.sequence; break;
    default: return;
  }
  render();
});

function move(direction) {
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'move', direction }));
}
document.querySelectorAll('button[data-dir]').forEach((b) => b.addEventListener('click', () => move(b.dataset.dir)));
document.addEventListener('keydown', (e) => {
  const dir = { ArrowUp: 'up', ArrowDown: 'down', ArrowLeft: 'left', ArrowRight: 'right' }[e.key];
  if (dir) { e.preventDefault(); move(dir); }
});
