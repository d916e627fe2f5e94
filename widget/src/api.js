// The Customer API client: the documented REST endpoints under
// /api/customer, authenticated with the workspace's public widget key.

// ApiError is a failed request: the server's error envelope
// ({"error":{"message","status","code","field"}}), or code "network" (status
// 0) when the server could not be reached. retryAfter is the Retry-After
// header in seconds, when the server sent one.
export class ApiError extends Error {
  constructor(status, code, message, field, retryAfter) {
    super(message);
    this.name = 'HelpiumError';
    this.status = status;
    this.code = code;
    this.field = field || undefined;
    this.retryAfter = retryAfter ?? undefined;
  }
}

// parseRetryAfter reads a Retry-After header (delay-seconds or an HTTP date)
// as whole seconds, or null.
export function parseRetryAfter(v, now = Date.now()) {
  if (!v) return null;
  const s = v.trim();
  if (/^\d+$/.test(s)) return Number(s);
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : Math.max(0, Math.ceil((t - now) / 1000));
}

export class Client {
  constructor(baseUrl, apiKey) {
    this.base = baseUrl;
    this.key = apiKey;
  }

  url(path) {
    return `${this.base}/api/customer${path}`;
  }

  // request sends one request and returns the decoded JSON body, or throws
  // an ApiError (or the AbortError when signal aborts it).
  async request(method, path, body, signal) {
    const headers = { 'X-API-Key': this.key, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res;
    try {
      res = await fetch(this.url(path), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
        mode: 'cors',
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch (err) {
      if (err && err.name === 'AbortError') throw err;
      throw networkError();
    }
    const text = await res.text().catch(() => '');
    return decode(res.status, text, res.headers.get('Retry-After'));
  }

  // upload POSTs a multipart/form-data form (a message with files). It uses
  // XMLHttpRequest, whose upload events fetch lacks, and calls
  // onProgress(fraction sent) as the body goes out. The browser sets the
  // Content-Type with its boundary.
  upload(path, form, onProgress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', this.url(path));
      xhr.setRequestHeader('X-API-Key', this.key);
      xhr.setRequestHeader('Accept', 'application/json');
      if (onProgress) {
        xhr.upload.addEventListener('progress', (e) => {
          if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
        });
      }
      xhr.addEventListener('load', () => {
        try {
          resolve(decode(xhr.status, xhr.responseText, xhr.getResponseHeader('Retry-After')));
        } catch (err) {
          reject(err);
        }
      });
      xhr.addEventListener('error', () => reject(networkError()));
      xhr.addEventListener('abort', () => reject(networkError()));
      xhr.send(form);
    });
  }

  settings() {
    return this.request('GET', '/widget/settings');
  }

  search(query, signal) {
    return this.request('POST', '/search', { query }, signal);
  }

  // answer asks the AI. The conversation's widget token (once a person has
  // taken it over, the AI steps back) and the installation id (an answer
  // followed by a conversation from this browser did not settle the
  // question) give the server the context.
  answer(query, signal, widgetToken, installationId) {
    return this.request('POST', '/search/answer', { query, widget_token: widgetToken || undefined, installation_id: installationId }, signal);
  }

  // rateAnswer is the customer's vote: did the answer help?
  rateAnswer(answerId, helpful) {
    return this.request('POST', `/answers/${encodeURIComponent(answerId)}/feedback`, { helpful });
  }

  // handOver is "Talk to a person" after an answer: it continues the open
  // conversation of token, or starts one. The answer is shaped as
  // createConversation's.
  handOver(answerId, token, installationId) {
    return this.request('POST', `/answers/${encodeURIComponent(answerId)}/handover`, { token: token || undefined, installation_id: installationId });
  }

  // rate is the customer's rating of a resolved conversation, 1 to 5.
  rate(token, rating, comment) {
    return this.request('POST', `/conversations/${encodeURIComponent(token)}/csat`, { rating, comment: comment || undefined });
  }

  // transcript asks the server to email the conversation to the customer
  // identified on it (never to an address the widget names).
  transcript(token) {
    return this.request('POST', `/conversations/${encodeURIComponent(token)}/transcript`);
  }

  // resume trades the code of an away email's link for its conversation
  // and a new widget token ({conversation, widget_token}); the old token
  // stops working.
  resume(code) {
    return this.request('POST', '/conversations/resume', { code });
  }

  // clientMessageId with this browser's installationId makes a retry of a
  // lost answer find the conversation the first try started (under the same
  // token) instead of starting a second one; no other client can. With
  // files, the request is a multipart form and onProgress follows it.
  createConversation(message, clientMessageId, installationId, files = [], onProgress) {
    const fields = { message, client_message_id: clientMessageId, installation_id: installationId };
    if (files.length) return this.upload('/conversations', formOf(fields, files), onProgress);
    return this.request('POST', '/conversations', fields);
  }

  sendMessage(token, body, clientMessageId, files = [], onProgress) {
    const path = `/conversations/${encodeURIComponent(token)}/messages`;
    const fields = { body, client_message_id: clientMessageId };
    if (files.length) return this.upload(path, formOf(fields, files), onProgress);
    return this.request('POST', path, fields);
  }

  // conversation returns the conversation with its status, csat and read
  // state: read {unread_count, seen_up_to}.
  conversation(token) {
    return this.request('GET', `/conversations/${encodeURIComponent(token)}`);
  }

  typing(token, typing) {
    return this.request('POST', `/conversations/${encodeURIComponent(token)}/typing`, { typing });
  }

  // read reports the newest message the customer has seen; the answer is
  // the conversation with its read state.
  read(token, messageId) {
    return this.request('POST', `/conversations/${encodeURIComponent(token)}/read`, { message_id: messageId });
  }

  messages(token, after, limit = 200) {
    const q = new URLSearchParams({ limit: String(limit) });
    if (after) q.set('after', after);
    return this.request('GET', `/conversations/${encodeURIComponent(token)}/messages?${q}`);
  }

  // eventsUrl is the conversation's Server-Sent Events stream. EventSource
  // cannot send headers, so the key travels as the api_key parameter.
  eventsUrl(token, after) {
    const q = new URLSearchParams({ api_key: this.key });
    if (after) q.set('after', after);
    return this.url(`/conversations/${encodeURIComponent(token)}/events?${q}`);
  }

  // identify sends who the customer is. Fields the host page left out are
  // left out here too (undefined is dropped by JSON), so an omitted
  // bearerToken keeps the stored one while an explicit null clears it.
  identify(identity, widgetToken) {
    return this.request('POST', '/tracking/identify', {
      email: identity.email,
      name: identity.name,
      widget_token: widgetToken || undefined,
      bearer_token: identity.bearerToken,
      user_hash: identity.userHash,
    });
  }
}

// decode turns a response into its JSON body, or throws the ApiError its
// error envelope describes.
function decode(status, text, retryAfter) {
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (status >= 200 && status < 300) return data;
  if (status === 0) throw networkError();
  const e = (data && data.error) || {};
  throw new ApiError(
    status,
    typeof e.code === 'string' ? e.code : `http_${status}`,
    typeof e.message === 'string' ? e.message : `Request failed (${status}).`,
    e.field,
    parseRetryAfter(retryAfter),
  );
}

function networkError() {
  return new ApiError(0, 'network', 'Could not reach the server.');
}

// formOf builds a message's multipart form: its text fields, then each file
// as a part named files.
function formOf(fields, files) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) if (v != null) form.append(k, v);
  for (const f of files) form.append('files', f, f.name);
  return form;
}
