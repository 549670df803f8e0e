// Node's built-in fetch (undici) against the demo: an empty POST, a JSON POST, and ten
// concurrent requests. Each answer must come within one second (AbortSignal.timeout).
//   node node_fetch.mjs --port PORT
// Exits non-zero on the first failure, printing what differed.
const port = Number(process.argv[process.argv.indexOf('--port') + 1]);
const base = `http://127.0.0.1:${port}`;

function expect(label, got, want) {
  if (got !== want) {
    console.log(`FAIL ${label}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    process.exit(1);
  }
  console.log(`ok ${label}`);
}

const within = () => ({ signal: AbortSignal.timeout(1000) });

// fetch(url, {method: 'POST'}) sends Content-Length: 0.
let r = await fetch(`${base}/echo`, { method: 'POST', ...within() });
expect('empty POST status', r.status, 200);
expect('empty POST body', await r.text(), '');

const message = { user: 'ada', text: 'héllo "quoted" \\ and \n newline' };
r = await fetch(`${base}/echo`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(message),
  ...within(),
});
expect('JSON POST status', r.status, 200);
expect('JSON POST content type', r.headers.get('content-type'), 'application/json');
expect('JSON POST body', JSON.stringify(await r.json()), JSON.stringify(message));

const answers = await Promise.all(Array.from({ length: 10 }, (_, i) =>
  fetch(`${base}/echo`, { method: 'POST', body: `request ${i}`, ...within() })
    .then(async (res) => `${res.status} ${await res.text()}`)));
answers.forEach((a, i) => expect(`concurrent request ${i}`, a, `200 request ${i}`));
console.log('node fetch: all checks passed');
