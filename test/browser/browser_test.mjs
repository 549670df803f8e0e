// Drives the demo's pages in headless Chromium (Debian's /usr/bin/chromium through
// playwright-core). Usage: node browser_test.mjs <port> <screenshot dir>
// Each check prints "ok - ..." or "not ok - ...", then one last line "N passed, M failed".
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check, finish, launchChromium, step, waitForServer } from './harness.mjs';

const port = Number(process.argv[2]);
const shots = process.argv[3] || 'build/screenshots';
const base = `http://127.0.0.1:${port}`;
const kWait = 10_000;




const profile = mkdtempSync(join(tmpdir(), 'sluice-chromium-'));
let context;
try {
  check(await waitForServer(base, kWait), 'the demo server answers /healthz');
  context = await launchChromium(profile, kWait);

  await step('index page links every demo', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/`);
    const links = await page.$$eval('a', (as) => as.map((a) => a.getAttribute('href')));
    const want = ['/chat', '/data', '/trading', '/collab', '/game'];
    check(want.every((l) => links.includes(l)), 'index page links every demo', JSON.stringify(links));
    await page.screenshot({ path: join(shots, 'index.png'), fullPage: true });
    await page.close();
  });

  await step('no page asks for a resource the server does not have (the favicon included)', async () => {
    for (const path of ['/', '/chat', '/data', '/trading', '/collab', '/game']) {
      const page = await context.newPage();
      const missing = [];
      page.on('response', (r) => { if (r.status() >= 400) missing.push(`${r.status()} ${new URL(r.url()).pathname}`); });
      await page.goto(`${base}${path}`);
      // Headless Chromium may not fetch icons itself: the page's icon link is fetched here.
      const icon = await page.evaluate(async () => {
        const link = document.querySelector('link[rel="icon"]');
        return link ? (await fetch(link.href)).status : 0;
      });
      check(icon === 200, `page ${path} names an icon the server has`, `status ${icon}`);
      check(missing.length === 0, `page ${path} loads without a 4xx`, missing.join(', '));
      await page.close();
    }
  });

  await step('Chromium negotiates permessage-deflate by default and echoes 1 MiB of JSON', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/`);
    const r = await page.evaluate(async (url) => {
      const items = [];
      for (let i = 0, size = 0; size < (1 << 20); i += 1) {
        items.push({ seq: i, user: 'ann', room: 'lobby', text: `message number ${i}`, price: i * 0.25 });
        size += 80;
      }
      const json = JSON.stringify(items);
      const ws = new WebSocket(url);
      await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = () => reject(new Error('no open')); });
      const echoed = new Promise((resolve) => { ws.onmessage = (e) => resolve(e.data); });
      ws.send(json);
      const back = await echoed;
      ws.close(1000);
      // WebSocket.extensions: the server's Sec-WebSocket-Extensions answer (RFC 6455 §9.1)
      return { extensions: ws.extensions, same: back === json, size: json.length };
    }, `ws://127.0.0.1:${port}/ws`);
    check(r.extensions.startsWith('permessage-deflate') && r.extensions.includes('server_no_context_takeover') &&
            r.extensions.includes('client_no_context_takeover'),
          'Chromium offered permessage-deflate and /ws answered it (no context takeover)', `'${r.extensions}'`);
    check(r.same && r.size >= (1 << 20), `a ${r.size}-byte JSON message came back intact, compressed both ways`);
    await page.close();
  });

  // The pages are independent: drive them at once (the waits overlap).
  await Promise.all([
    step('two chat pages exchange messages', async () => {
      const a = await context.newPage();
      const b = await context.newPage();
      await a.goto(`${base}/chat`);
      await a.waitForFunction(() => document.getElementById('me').textContent.startsWith('You are'));
      await b.goto(`${base}/chat`);
      await b.waitForFunction(() => document.getElementById('me').textContent.startsWith('You are'));
      await a.waitForFunction(() => [...document.querySelectorAll('.msg.notice')].some((m) => m.textContent.includes('joined (2 in the room)')));
      check(true, 'chat page A sees page B join');
      // The header's count follows joins (it was set by the welcome only and went stale).
      await a.waitForFunction(() => document.getElementById('me').dataset.members === '2');
      check(true, 'chat page A\'s header counts 2 in the room after B joins');
      // Neither page is told of its own join: its welcome says it.
      for (const [name, p] of [['A', a], ['B', b]]) {
        const own = await p.evaluate(() => {
          const me = document.getElementById('me').textContent.replace(/^You are (\S+).*$/, '$1');
          return [...document.querySelectorAll('.msg.notice')].filter((m) => m.textContent.startsWith(me + ' joined')).length;
        });
        check(own === 0, `chat page ${name} shows no notice of its own join`, `${own} such notices`);
      }
      await a.fill('#input', 'hello from page A');
      await a.click('#send');
      await b.waitForFunction(() => [...document.querySelectorAll('.msg')].some((m) => m.textContent.includes('hello from page A')));
      check(true, 'chat page B shows the message typed in page A');
      await b.fill('#input', 'and hello back from B <b>not bold</b>');
      await b.press('#input', 'Enter');
      await a.waitForFunction(() => [...document.querySelectorAll('.msg')].some((m) => m.textContent.includes('and hello back from B <b>not bold</b>')));
      check(await a.$$eval('.msg b', (x) => x.length) === 0, 'chat page A shows B\'s message as text, not HTML');
      await a.screenshot({ path: join(shots, 'chat-a.png') });
      await b.screenshot({ path: join(shots, 'chat-b.png') });
      await b.close();
      await a.waitForFunction(() => [...document.querySelectorAll('.msg.notice')].some((m) => m.textContent.includes('left (1 in the room)')));
      check(true, 'chat page A sees page B leave');
      await a.waitForFunction(() => document.getElementById('me').dataset.members === '1');
      check(true, 'chat page A\'s header counts 1 in the room after B leaves');
      await a.close();
    }),
    step('the chart page draws points from /data', async () => {
      const page = await context.newPage();
      await page.goto(`${base}/data`);
      await page.waitForFunction(() => Number(document.getElementById('chart').dataset.points) >= 10);
      const seq = await page.$eval('#chart', (c) => Number(c.dataset.lastSequence));
      check(seq >= 9, 'the chart received 10 samples with sequence numbers', `last sequence ${seq}`);
      // Pixels: the line is drawn in #1f6feb; count pixels of that colour on the canvas.
      const blue = await page.$eval('#chart', (c) => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) {
          if (Math.abs(d[i] - 0x1f) < 40 && Math.abs(d[i + 1] - 0x6f) < 40 && Math.abs(d[i + 2] - 0xeb) < 40 && d[i + 3] > 128) n += 1;
        }
        return n;
      });
      check(blue > 100, 'the chart canvas has the data line drawn on it', `${blue} line pixels`);
      await page.screenshot({ path: join(shots, 'chart.png') });
      await page.close();
    }),
    step('the collab page shows an edit made from another page', async () => {
      const c = await context.newPage();
      const d = await context.newPage();
      await c.goto(`${base}/collab`);
      await c.waitForSelector('#doc:not([disabled])');
      await d.goto(`${base}/collab`);
      await d.waitForSelector('#doc:not([disabled])');
      await c.fill('#doc', 'Hello from page C.');
      await d.waitForFunction(() => document.getElementById('doc').value === 'Hello from page C.');
      check(true, 'collab page D shows the text typed in page C');
      await d.click('#doc');
      await d.press('#doc', 'End');
      await d.type('#doc', ' And D.');
      await c.waitForFunction(() => document.getElementById('doc').value === 'Hello from page C. And D.');
      check(true, 'collab page C shows the text typed in page D');
      const versions = await Promise.all([c, d].map((p) => p.$eval('#doc', (t) => t.dataset.version)));
      check(versions[0] === versions[1], 'both collab pages are at the same version', JSON.stringify(versions));
      // Both type at once, at both ends of the text: the pages converge on one text that
      // holds both insertions.
      await c.press('#doc', 'Home');
      await Promise.all([c.type('#doc', 'C1 C2 '), d.type('#doc', ' D1 D2')]);
      await c.waitForFunction(() => document.getElementById('doc').value.includes('C1 C2 ') && document.getElementById('doc').value.includes(' D1 D2'));
      await d.waitForFunction(() => document.getElementById('doc').value.includes('C1 C2 ') && document.getElementById('doc').value.includes(' D1 D2'));
      // Converged = the same text on both pages (poll: the last splice may still be in flight).
      let texts = [];
      for (const end = Date.now() + kWait; Date.now() < end;) {
        texts = await Promise.all([c, d].map((p) => p.$eval('#doc', (t) => t.value)));
        if (texts[0] === texts[1]) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      check(texts[0] === texts[1] && texts[0].startsWith('C1 C2 ') && texts[0].endsWith(' D1 D2'),
            'concurrent typing on two collab pages converges', JSON.stringify(texts));
      // A late joiner gets the current text.
      const e = await context.newPage();
      await e.goto(`${base}/collab`);
      await e.waitForSelector('#doc:not([disabled])');
      check(await e.$eval('#doc', (t) => t.value) === texts[0], 'a late collab page gets the current text');
      await c.screenshot({ path: join(shots, 'collab-c.png') });
      await d.screenshot({ path: join(shots, 'collab-d.png') });
      for (const p of [c, d, e]) await p.close();
    }),
    step('the ticker page shows four symbols from /trading', async () => {
      const page = await context.newPage();
      await page.goto(`${base}/trading`);
      await page.waitForFunction(() => document.querySelectorAll('#quotes tbody tr').length === 4 && Number(document.body.dataset.sequence) >= 3);
      const symbols = await page.$$eval('#quotes tbody tr', (rows) => rows.map((r) => r.dataset.symbol).sort());
      check(JSON.stringify(symbols) === JSON.stringify(['AAPL', 'AMZN', 'GOOGL', 'MSFT']), 'the ticker lists AAPL, AMZN, GOOGL, MSFT', JSON.stringify(symbols));
      await page.screenshot({ path: join(shots, 'ticker.png') });
      await page.close();
    }),
    step('the game page shows the player on the board', async () => {
      const page = await context.newPage();
      await page.goto(`${base}/game`);
      await page.waitForFunction(() => [...document.querySelectorAll('#board div')].some((c) => c.textContent === 'you'));
      check(true, 'the game board shows the player');
      await page.keyboard.press('ArrowRight');
      await page.waitForFunction(() => document.getElementById('info').textContent.includes('sequence'));
      await page.screenshot({ path: join(shots, 'game.png') });
      await page.close();
    }),
  ]);
} catch (e) {
  check(false, 'browser session', String(e && e.message || e).split('\n')[0]);
} finally {
  if (context) await context.close().catch(() => {});
  rmSync(profile, { recursive: true, force: true });
}

finish();
