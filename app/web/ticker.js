// The ticker: one row per symbol, updated by every /trading market_data tick.
'use strict';

const body = document.querySelector('#quotes tbody');
const tick = document.getElementById('tick');
const rows = new Map();

function row(symbol) {
  if (!rows.has(symbol)) {
    const tr = document.createElement('tr');
    tr.dataset.symbol = symbol;
    for (let i = 0; i < 4; ++i) tr.appendChild(document.createElement('td'));
    tr.cells[0].textContent = symbol;
    body.appendChild(tr);
    rows.set(symbol, tr);
  }
  return rows.get(symbol);
}

connect('/trading', document.getElementById('status'), (m) => {
  if (m.type !== 'market_data') return;
  for (const q of m.quotes) {
    const tr = row(q.symbol);
    tr.cells[1].textContent = q.price.toFixed(2);
    tr.cells[2].textContent = (q.change >= 0 ? '+' : '') + q.change.toFixed(2);
    tr.cells[2].className = q.change >= 0 ? 'up' : 'down';
    tr.cells[3].textContent = String(q.volume);
  }
  document.body.dataset.sequence = String(m.sequence);
  tick.textContent = 'tick #' + m.sequence + ' at ' + new Date(m.timestamp).toISOString();
});
