// The agent's Server-Sent Events stream (GET /api/v1/events), read with fetch rather than
// EventSource because EventSource cannot send the bearer token a remote agent requires. It
// reconnects by itself with backoff; `onOpen` fires on every (re)connection, which is when the
// caller should reload full state, since events sent while disconnected are lost.

import { authHeaders, url } from './api.js';

const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 10000;

export class EventFeed {
  /**
   * @param handlers {onEvent(type, data), onState(state, detail), onOpen()}
   */
  constructor(handlers) {
    this.handlers = handlers;
    this.backoff = MIN_BACKOFF_MS;
    this.stopped = false;
    this.controller = null;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    if (this.controller) this.controller.abort();
  }

  async connect() {
    this.handlers.onState('connecting');
    this.controller = new AbortController();
    let detail = 'stream ended';
    try {
      const res = await fetch(url('/events'), {
        headers: { Accept: 'text/event-stream', ...authHeaders() },
        cache: 'no-store',
        signal: this.controller.signal,
      });
      if (!res.ok) {
        throw new Error(`HTTP ${res.status}`);
      }
      this.backoff = MIN_BACKOFF_MS;
      this.handlers.onState('open');
      this.handlers.onOpen();
      await this.read(res.body.pipeThrough(new TextDecoderStream()).getReader());
    } catch (e) {
      detail = e.message;
    }
    if (this.stopped) return;
    this.handlers.onState('reconnecting', detail);
    setTimeout(() => this.connect(), this.backoff);
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
  }

  async read(reader) {
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value.replace(/\r\n?/g, '\n');
      // One chunk may hold thousands of events (a burst of learned MACs): the buffer is cut once
      // per chunk, not once per event, which would copy it over and over.
      let start = 0;
      let end;
      while ((end = buffer.indexOf('\n\n', start)) >= 0) {
        this.dispatch(buffer.slice(start, end));
        start = end + 2;
      }
      buffer = buffer.slice(start);
    }
  }

  dispatch(block) {
    let type = 'message';
    const data = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') type = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length === 0) return;
    let parsed;
    try {
      parsed = JSON.parse(data.join('\n'));
    } catch {
      return;
    }
    this.handlers.onEvent(type, parsed);
  }
}
