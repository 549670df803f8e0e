// transport.js — one topic from the sluice server over WebSocket, falling back to
// Server-Sent Events, then long-polling (a transport that never opens is given up for the
// next). Every reconnect resumes from the last id seen ("<epoch>:<seq>", see
// app/detail/push_formats.hpp), so a message published while the client was away arrives
// once, in order; a server whose history no longer reaches back says so (onReset).
//
//   const t = new Transport({
//     ws: '/chat', sse: '/sse/chat', poll: '/poll/chat', publish: '/publish/chat',
//     force: 'sse',                            // optional: 'ws' | 'sse' | 'poll'
//     onMessage: (text, id) => {}, onState: (transport, state) => {}, onReset: (id) => {},
//   });
//   t.send(text)          // WebSocket: a text frame; otherwise POSTed to `publish`
'use strict';

const TRANSPORT_NAMES = { ws: 'WebSocket', sse: 'Server-Sent Events', poll: 'long-polling' };

class Transport {
  constructor(options) {
    this.o = options;
    this.lastId = '';
    this.kind = '';
    this.order = options.force ? [options.force] : ['ws', 'sse', 'poll'];
    this.index = 0;
    this.retryMs = 1000;
    this.open(this.order[0]);
  }

  // One URL with a query parameter added.
  static withParam(path, name, value) {
    return path + (path.includes('?') ? '&' : '?') + name + '=' + encodeURIComponent(value);
  }

  state(s) { if (this.o.onState) this.o.onState(this.kind, s); }
  deliver(text, id) {
    if (id) this.lastId = id;
    this.o.onMessage(text, id || '');
  }
  reset(id) {
    this.lastId = id || '';
    if (this.o.onReset) this.o.onReset(this.lastId);
  }
  // The transport never opened: the next one, if any.
  fallBack() {
    if (this.index + 1 >= this.order.length) { this.state('failed'); return; }
    this.index += 1;
    this.open(this.order[this.index]);
  }

  open(kind) {
    this.kind = kind;
    this.state('connecting');
    if (kind === 'ws') this.openWs(false);
    else if (kind === 'sse') this.openSse(false);
    else this.poll(false);
  }

  // WebSocket with ?since=: topic messages come in envelopes {"id","data"} (or a reset);
  // anything else is the route's own message to this client.
  openWs(opened) {
    const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host +
                Transport.withParam(this.o.ws, 'since', this.lastId);
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.addEventListener('open', () => { opened = true; this.state('open'); });
    ws.addEventListener('message', (e) => {
      let m = null;
      try { m = JSON.parse(e.data); } catch (_) { /* not JSON: the route's own text */ }
      if (m && m.reset === true && typeof m.id === 'string') this.reset(m.id);
      else if (m && typeof m.id === 'string' && typeof m.data === 'string' && Object.keys(m).length === 2) this.deliver(m.data, m.id);
      else this.deliver(e.data, '');
    });
    ws.addEventListener('close', () => {
      this.ws = null;
      if (!opened) { this.fallBack(); return; }
      this.state('reconnecting');
      setTimeout(() => this.openWs(true), this.retryMs);
    });
  }

  // EventSource reconnects by itself, sending Last-Event-ID; ?lastEventId= is for a new one.
  openSse(opened) {
    const url = this.lastId ? Transport.withParam(this.o.sse, 'lastEventId', this.lastId) : this.o.sse;
    const es = new EventSource(url);
    this.es = es;
    es.addEventListener('open', () => { opened = true; this.state('open'); });
    es.addEventListener('message', (e) => this.deliver(e.data, e.lastEventId));
    es.addEventListener('reset', (e) => this.reset(e.lastEventId));
    es.addEventListener('error', () => {
      if (!opened) { es.close(); this.fallBack(); return; }
      if (es.readyState === EventSource.CLOSED) {   // the browser gave up: a new one resumes
        this.state('reconnecting');
        setTimeout(() => this.openSse(true), this.retryMs);
      } else {
        this.state('reconnecting');
      }
    });
  }

  // Long-polling: each answer carries the messages after `since` (or a reset); the next
  // poll goes out at once.
  async poll(opened) {
    for (;;) {
      let body;
      try {
        const url = this.lastId ? Transport.withParam(this.o.poll, 'since', this.lastId) : this.o.poll;
        const r = await fetch(url, { cache: 'no-store' });
        if (!r.ok) throw new Error('status ' + r.status);
        body = await r.json();
      } catch (e) {
        if (!opened) { this.fallBack(); return; }
        this.state('reconnecting');
        await new Promise((done) => setTimeout(done, this.retryMs));
        continue;
      }
      if (!opened) { opened = true; this.state('open'); }
      if (body.reset) this.reset('');
      for (const m of body.messages) this.deliver(m.data, m.id);
    }
  }

  send(text) {
    if (this.kind === 'ws') {
      if (this.ws && this.ws.readyState === WebSocket.OPEN) { this.ws.send(text); return true; }
      return false;
    }
    fetch(this.o.publish, { method: 'POST', body: this.o.publishBody ? this.o.publishBody(text) : text });
    return true;
  }
}
