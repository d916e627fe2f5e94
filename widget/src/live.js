// Live delivery of a conversation's messages: Server-Sent Events from
// /conversations/{token}/events, whose event ids are message cursors, so
// the browser's automatic reconnect (Last-Event-ID) replays whatever was
// missed. Where EventSource is missing or the stream is refused, it polls
// the messages endpoint from the same cursor instead, and tries the stream
// again after a while. The stream also carries the team's typing and
// reads and the conversation's status changes (events without ids, never
// replayed).

const POLL_MS = 3000;
const MAX_BACKOFF_MS = 30000;
const SSE_RETRY_MS = 60000;

export class Live {
  // onMessages(messages) receives new messages, oldest first; onGone() is
  // called when the conversation no longer exists (404); onActivity(a)
  // receives typing, read and status events; onReconnect() is called when the
  // stream opens again, since activity missed meanwhile is not replayed.
  constructor(client, token, after, { onMessages, onGone, onError, onActivity, onReconnect }) {
    this.client = client;
    this.token = token;
    this.cursor = after || null;
    this.onMessages = onMessages;
    this.onGone = onGone;
    this.onError = onError;
    this.onActivity = onActivity;
    this.onReconnect = onReconnect;
    this.opened = false;
    this.es = null;
    this.timer = null;
    this.stopped = false;
    this.mode = 'idle';
  }

  start() {
    this.stopped = false;
    if (typeof EventSource === 'function') this.openStream();
    else this.poll();
  }

  stop() {
    this.stopped = true;
    this.closeStream();
    clearTimeout(this.timer);
    this.mode = 'idle';
  }

  openStream() {
    this.mode = 'sse';
    const es = new EventSource(this.client.eventsUrl(this.token, this.cursor));
    this.es = es;
    es.addEventListener('message', (e) => {
      let m;
      try {
        m = JSON.parse(e.data);
      } catch {
        return;
      }
      if (e.lastEventId) this.cursor = e.lastEventId;
      this.onMessages([m]);
    });
    const activity = (e) => {
      let a;
      try {
        a = JSON.parse(e.data);
      } catch {
        return;
      }
      if (a && typeof a === 'object') this.onActivity(a);
    };
    for (const kind of ['typing', 'read', 'status']) es.addEventListener(kind, activity);
    es.addEventListener('open', () => {
      if (this.opened) this.onReconnect();
      this.opened = true;
    });
    es.addEventListener('error', () => {
      // CONNECTING means the browser is already reconnecting by itself;
      // CLOSED means it gave up (a non-200 answer): poll instead.
      if (es.readyState !== EventSource.CLOSED || this.stopped || this.es !== es) return;
      this.closeStream();
      this.sseRetryAt = Date.now() + SSE_RETRY_MS;
      this.poll();
    });
  }

  closeStream() {
    if (this.es) this.es.close();
    this.es = null;
  }

  async poll(delay = 0) {
    this.mode = 'polling';
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.pollOnce(), delay);
  }

  async pollOnce() {
    if (this.stopped) return;
    let next = POLL_MS;
    try {
      for (;;) {
        const page = await this.client.messages(this.token, this.cursor);
        if (this.stopped) return;
        if (page.next_cursor) this.cursor = page.next_cursor;
        if (page.messages && page.messages.length) this.onMessages(page.messages);
        if (!page.has_more) break;
      }
      this.failures = 0;
    } catch (err) {
      if (this.stopped) return;
      if (err.code === 'not_found') {
        this.stop();
        this.onGone();
        return;
      }
      this.failures = (this.failures || 0) + 1;
      next = err.retryAfter != null ? err.retryAfter * 1000 : Math.min(MAX_BACKOFF_MS, POLL_MS * 2 ** this.failures);
      if (this.failures === 1) this.onError(err);
    }
    if (this.stopped) return;
    if (typeof EventSource === 'function' && this.sseRetryAt && Date.now() >= this.sseRetryAt) {
      this.sseRetryAt = 0;
      this.openStream();
      return;
    }
    this.poll(next);
  }
}
