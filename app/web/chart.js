// The live chart: draws the /data samples ({timestamp, value, sequence}) on a canvas.
// The canvas keeps data-points (samples received) and data-last-sequence up to date, so a
// test can see that points were drawn without reading pixels.
'use strict';

const canvas = document.getElementById('chart');
const ctx = canvas.getContext('2d');
const last = document.getElementById('last');
const kKeep = 120;          // samples on screen
const samples = [];
let received = 0;

function draw() {
  const w = canvas.width, h = canvas.height, pad = 36;
  ctx.clearRect(0, 0, w, h);
  // Axes and grid: value 0..100.
  ctx.strokeStyle = '#d8dde6';
  ctx.fillStyle = '#6b7385';
  ctx.font = '12px system-ui, sans-serif';
  ctx.lineWidth = 1;
  for (let v = 0; v <= 100; v += 25) {
    const y = h - pad - (v / 100) * (h - 2 * pad);
    ctx.beginPath(); ctx.moveTo(pad, y); ctx.lineTo(w - 8, y); ctx.stroke();
    ctx.fillText(String(v), 6, y + 4);
  }
  if (samples.length < 2) return;
  const step = (w - pad - 8) / (kKeep - 1);
  const x0 = pad + (kKeep - samples.length) * step;
  ctx.strokeStyle = '#1f6feb';
  ctx.lineWidth = 2;
  ctx.beginPath();
  samples.forEach((s, i) => {
    const x = x0 + i * step;
    const y = h - pad - (s.value / 100) * (h - 2 * pad);
    if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
  });
  ctx.stroke();
  const end = samples[samples.length - 1];
  ctx.fillStyle = '#1f6feb';
  ctx.beginPath();
  ctx.arc(x0 + (samples.length - 1) * step, h - pad - (end.value / 100) * (h - 2 * pad), 4, 0, 2 * Math.PI);
  ctx.fill();
}

connect('/data', document.getElementById('status'), (m) => {
  if (m.type !== 'sample') return;
  samples.push(m);
  if (samples.length > kKeep) samples.shift();
  received += 1;
  canvas.dataset.points = String(received);
  canvas.dataset.lastSequence = String(m.sequence);
  last.textContent = 'sample #' + m.sequence + ': ' + m.value.toFixed(2) + ' at ' +
      new Date(m.timestamp).toISOString();
  draw();
});
draw();
