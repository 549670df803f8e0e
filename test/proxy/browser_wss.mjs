// The proxy suite's browser check: headless Chromium (playwright-core, /usr/bin/chromium)
// opens the demo's index page over https:// through nginx and a wss:// echo from it; the
// suite's certificate is self-signed, so --ignore-certificate-errors.
// Usage: node browser_wss.mjs <https port>. Prints ok / not ok lines, then "N passed, M failed".
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '../browser/harness.mjs';

const port = Number(process.argv[2]);
let passed = 0, failed = 0;
function check(ok, what, detail = '') {
  if (ok) { passed += 1; console.log(`ok - chromium ${what}`); }
  else { failed += 1; console.log(`not ok - chromium ${what}${detail ? ': ' + detail : ''}`); }
}

const profile = mkdtempSync(join(tmpdir(), 'sluice-proxy-chromium-'));
let context;
try {
  context = await launchChromium(profile, 10_000, ['--ignore-certificate-errors']);
  const page = await context.newPage();
  const response = await page.goto(`https://127.0.0.1:${port}/`);
  check(response && response.status() === 200, 'loads the index page over https:// through nginx',
        response ? String(response.status()) : 'no response');
  const result = await page.evaluate(() => new Promise((resolve) => {
    const ws = new WebSocket(`wss://${location.host}/ws`);
    const timer = setTimeout(() => resolve('timeout'), 8000);
    ws.onopen = () => ws.send('hello from chromium');
    ws.onmessage = (e) => { clearTimeout(timer); ws.close(1000); resolve(e.data); };
    ws.onerror = () => { clearTimeout(timer); resolve('error'); };
  }));
  check(result === 'hello from chromium', 'wss:// echo through nginx', result);
  const refused = await page.evaluate(() => new Promise((resolve) => {
    const ws = new WebSocket(`wss://${location.host}/private`);
    ws.onopen = () => resolve('opened');
    ws.onclose = (e) => resolve(`closed ${e.code}`);
  }));
  check(refused === 'closed 1006', 'wss:// /private without the token is refused (no open)', refused);
} catch (e) {
  check(false, 'runs', String(e && e.message || e).split('\n')[0]);
} finally {
  if (context) await context.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
