// What every headless-Chromium test here shares: TAP-like checks with a closing
// "N passed, M failed" line, the wait for the server, and Debian's chromium launched through
// playwright-core with a throw-away profile.
import { chromium } from 'playwright-core';

export const tally = { passed: 0, failed: 0 };

export function check(ok, what, detail = '') {
  if (ok) { tally.passed += 1; console.log(`ok - ${what}`); }
  else { tally.failed += 1; console.log(`not ok - ${what}${detail ? ': ' + detail : ''}`); }
}

// Runs one named step; an exception (a timeout waiting for the page) is a failed check.
export async function step(what, fn) {
  try { await fn(); } catch (e) { check(false, what, String(e && e.message || e).split('\n')[0]); }
}

// Prints the closing line and exits 0 only when nothing failed.
export function finish() {
  console.log(`${tally.passed} passed, ${tally.failed} failed`);
  process.exit(tally.failed === 0 ? 0 : 1);
}

// True once GET <base>/healthz answers 200, false after waitMs.
export async function waitForServer(base, waitMs) {
  const end = Date.now() + waitMs;
  while (Date.now() < end) {
    try { if ((await fetch(`${base}/healthz`)).ok) return true; } catch (_) { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

// Headless Debian chromium on `profile`; extraArgs for a test's own flags (a certificate).
export async function launchChromium(profile, waitMs, extraArgs = []) {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extraArgs],
    viewport: { width: 1000, height: 700 },
  });
  context.setDefaultTimeout(waitMs);
  return context;
}
