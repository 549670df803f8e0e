// The push transports in headless Chromium: the real EventSource against /sse/chat (messages
// arrive; after the server ends the stream the browser reconnects by itself with
// Last-Event-ID and receives exactly what was published meanwhile), and the chat page's
// fallback client (app/web/transport.js) forced onto each transport carrying a chat between
// two pages. Usage: node transports_test.mjs <port> <screenshot dir>; prints "ok - ..." /
// "not ok - ..." and a last line "N passed, M failed".
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check, finish, launchChromium, step, waitForServer } from './harness.mjs';

const port = Number(process.argv[2]);
const shots = process.argv[3] || 'build/screenshots';
const base = `http://127.0.0.1:${port}`;
const kWait = 10_000;

async function post(text) {
  const r = await fetch(`${base}/publish/chat`, { method: 'POST', body: JSON.stringify({ from: 'node', text }) });
  return r.status;
}

const profile = mkdtempSync(join(tmpdir(), 'sluice-chromium-'));
let context;
try {
  check(await waitForServer(base, kWait), 'the demo server answers /healthz');
  context = await launchChromium(profile, kWait);

  await Promise.all([
    step('EventSource: messages, then a reconnect that resumes exactly', async () => {
      const page = await context.newPage();
      const state = async () => JSON.stringify(await page.evaluate(() => [window.got, window.opens, window.errors]));
      page.setDefaultTimeout(15_000);
      await page.goto(`${base}/`);
      // The server ends the stream 2 s after it opens; the browser reconnects by itself.
      await page.evaluate(() => {
        window.got = [];
        window.opens = 0;
        window.errors = 0;
        const es = new EventSource('/sse/chat?drop_after=2000');
        es.onopen = () => { window.opens += 1; };
        es.onerror = () => { window.errors += 1; };
        es.onmessage = (e) => {
          const m = JSON.parse(e.data);
          if (m.from === 'node') window.got.push(m.text + '@' + e.lastEventId);
        };
      });
      await page.waitForFunction(() => window.opens === 1);
      for (const t of ['m1', 'm2']) check(await post(t) === 204, `POST /publish/chat ${t} is 204`);
      await page.waitForFunction(() => window.got.length === 2);
      check(true, 'EventSource receives the published messages');
      await page.waitForFunction(() => window.errors >= 1).catch(async (e) => { throw new Error('no drop ' + await state()); });
      for (const t of ['m3', 'm4', 'm5']) await post(t);     // while the browser is away
      await page.waitForFunction(() => window.opens >= 2, null, { timeout: 15_000 });
      await post('m6');
      await page.waitForFunction(() => window.got.length >= 6).catch(async (e) => { throw new Error(await state()); });
      await new Promise((r) => setTimeout(r, 300));           // anything doubled would arrive now
      const got = await page.evaluate(() => window.got);
      const texts = got.map((g) => g.split('@')[0]);
      check(JSON.stringify(texts) === JSON.stringify(['m1', 'm2', 'm3', 'm4', 'm5', 'm6']),
            'after the server dropped it, EventSource reconnected and got exactly the messages published meanwhile, once, in order',
            JSON.stringify(got));
      const seqs = got.map((g) => Number(g.split(':').pop()));
      check(seqs.every((s, i) => i === 0 || s > seqs[i - 1]), 'the event ids rise', JSON.stringify(seqs));
      await page.close();
    }),
    ...['ws', 'sse', 'poll'].map((kind) => step(`the chat page forced onto ${kind} carries a chat between two pages`, async () => {
      const a = await context.newPage();
      const b = await context.newPage();
      for (const p of [a, b]) {
        await p.goto(`${base}/chat?transport=${kind}`);
        await p.waitForFunction(() => document.getElementById('status').dataset.state === 'open');
        await p.waitForFunction(() => document.getElementById('me').textContent.startsWith('You are'));
      }
      const shown = await a.$eval('#status', (s) => [s.dataset.transport, s.textContent]);
      check(shown[0] === kind, `the chat page shows it is on ${kind}`, JSON.stringify(shown));
      await new Promise((r) => setTimeout(r, 200));   // a long-poll is held (its handler subscribed)
      await a.fill('#input', `from A over ${kind}`);
      await a.click('#send');
      await b.waitForFunction((t) => [...document.querySelectorAll('.msg')].some((m) => m.textContent.includes(t)), `from A over ${kind}`);
      await b.fill('#input', `from B over ${kind}`);
      await b.press('#input', 'Enter');
      await a.waitForFunction((t) => [...document.querySelectorAll('.msg')].some((m) => m.textContent.includes(t)), `from B over ${kind}`);
      check(true, `two chat pages on ${kind} see each other's messages`);
      await a.screenshot({ path: join(shots, `chat-${kind}.png`) });
      await a.close();
      await b.close();
    })),
  ]);
} catch (e) {
  check(false, 'the browser run', String(e && e.message || e).split('\n')[0]);
} finally {
  if (context) await context.close();
  rmSync(profile, { recursive: true, force: true });
}
finish();
