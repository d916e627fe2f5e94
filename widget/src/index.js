// Helpium's embeddable chat widget. The page loads /widget.js and calls
//
//   Helpium.init({ apiKey: 'pk_…', baseUrl: 'https://support.example.com' });
//
// The SDK: init, identify, open, close, toggle, shutdown, and on(event, fn)
// for ready, open, close, message, unread and error.

import { Widget, errorInfo } from './widget.js';

const EVENTS = ['ready', 'open', 'close', 'message', 'unread', 'error'];

// The script's own origin is the default server: the widget is served by it.
const scriptOrigin = (() => {
  try {
    return document.currentScript && document.currentScript.src ? new URL(document.currentScript.src).origin : '';
  } catch {
    return '';
  }
})();

const listeners = new Map(EVENTS.map((e) => [e, new Set()]));
let widget = null;
let readyPromise = null;

function emit(event, payload) {
  for (const fn of [...listeners.get(event)]) {
    try {
      fn(payload);
    } catch (err) {
      console.error(`Helpium: a "${event}" listener threw`, err);
    }
  }
}

function baseUrlOf(options) {
  const raw = options.baseUrl || scriptOrigin || window.location.origin;
  const u = new URL(raw, window.location.href);
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new TypeError('Helpium.init: baseUrl must be an http(s) URL');
  return u.href.replace(/\/+$/, '');
}

const Helpium = {
  // init shows the widget for the workspace of apiKey. It returns a promise
  // that resolves when the widget is ready (and rejects if it cannot start;
  // the "error" event says the same).
  init(options = {}) {
    if (widget) {
      console.warn('Helpium.init: already initialised; call Helpium.shutdown() first');
      return readyPromise;
    }
    if (typeof options.apiKey !== 'string' || options.apiKey.trim() === '') {
      return Promise.reject(new TypeError('Helpium.init: apiKey is required'));
    }
    let baseUrl;
    try {
      baseUrl = baseUrlOf(options);
    } catch (err) {
      return Promise.reject(err);
    }
    const w = new Widget({ apiKey: options.apiKey.trim(), baseUrl }, emit);
    widget = w;
    readyPromise = w.start().catch((err) => {
      if (err && err.code === 'forbidden') {
        console.error(`Helpium: the widget key may not be used from ${window.location.origin}; ` +
          "an admin adds this origin to the workspace's allowed origins (setAllowedOrigins).");
      }
      if (widget === w) emit('error', errorInfo(err));
      throw err;
    });
    readyPromise.catch(() => {}); // the caller may ignore it; "error" reports it
    return readyPromise;
  },

  // identify tells Helpium who the customer is: { email, name, bearerToken,
  // userHash }. The bearer token goes only to the Helpium server and is
  // kept in memory, never in localStorage or cookies. Resolves to the
  // customer { id, email, name, verified }, or to null before the customer
  // has started a conversation (the identity is sent when they do).
  identify(identity) {
    if (!widget) return Promise.reject(new Error('Helpium.identify: call Helpium.init first'));
    if (!identity || typeof identity !== 'object') return Promise.reject(new TypeError('Helpium.identify: pass an object'));
    return widget.identify(identity);
  },

  open() {
    if (widget) widget.open();
  },

  close() {
    if (widget) widget.close();
  },

  toggle() {
    if (widget) widget.toggle();
  },

  // shutdown removes the widget and forgets the session (conversation token
  // and identity), e.g. when the customer logs out. init may be called again.
  shutdown() {
    if (!widget) return;
    const w = widget;
    widget = null;
    readyPromise = null;
    w.destroy();
    w.store.clear();
  },

  // on registers fn for an event and returns a function that removes it.
  on(event, fn) {
    if (!listeners.has(event)) throw new TypeError(`Helpium.on: unknown event "${event}" (use ${EVENTS.join(', ')})`);
    if (typeof fn !== 'function') throw new TypeError('Helpium.on: fn must be a function');
    listeners.get(event).add(fn);
    return () => listeners.get(event).delete(fn);
  },

  off(event, fn) {
    if (listeners.has(event)) listeners.get(event).delete(fn);
  },
};

// A second copy of the script on the page leaves the first in charge.
if (!window.Helpium || typeof window.Helpium.init !== 'function') {
  window.Helpium = Object.freeze(Helpium);
}
