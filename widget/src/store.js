// Per-workspace session storage in localStorage: the conversation's widget
// token (so a reload resumes it), the last message read and the random
// installation id a retried conversation start is bound to (answers carry
// it too, so the server can tell one led to a conversation). Nothing else is
// ever stored: no identity, and never the customer's bearer token. Where
// localStorage is unavailable (private modes, sandboxed frames) it falls
// back to memory for the life of the page.

export function sessionStore(apiKey) {
  const key = `helpium:${apiKey}`;
  let memory = {};
  const read = () => {
    try {
      const v = JSON.parse(window.localStorage.getItem(key) || '{}');
      return v && typeof v === 'object' ? v : {};
    } catch {
      return { ...memory };
    }
  };
  const write = (v) => {
    memory = v;
    try {
      window.localStorage.setItem(key, JSON.stringify(v));
    } catch {
      // memory keeps it
    }
  };
  return {
    get: (name) => read()[name],
    set(name, value) {
      const v = read();
      if (value == null) delete v[name];
      else v[name] = value;
      write(v);
    },
    clear() {
      memory = {};
      try {
        window.localStorage.removeItem(key);
      } catch {
        // nothing stored
      }
    },
  };
}
