// The public GraphQL API, with the session in an HttpOnly cookie: every
// request opts in with X-Helpium-Session (the server refuses it from
// another origin), and the WebSocket with ?session=cookie.
import { createClient, type Client } from 'graphql-ws';
import type {
  ConversationActivitySubscription, ConversationQuery, InboxQuery, MeQuery, MessageFieldsFragment, TypedDocumentString,
} from './gql/graphql';

export class ApiError extends Error {
  constructor(message: string, readonly code: string, readonly field?: string) {
    super(message);
  }
}

// An operation is a typed document generated from src/operations.graphql:
// its text, with the types of its result R and its variables V.
export type Operation<R, V> = TypedDocumentString<R, V>;

// Vars is the variables argument for variables V: optional when none is
// required.
type Vars<V> = {} extends V ? [variables?: V] : [variables: V];

// gql runs a query or mutation.
export async function gql<R, V>(op: Operation<R, V>, ...[variables]: Vars<V>): Promise<R> {
  const res = await fetch('/graphql', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-Helpium-Session': 'cookie' },
    body: JSON.stringify({ query: op.toString(), variables: variables ?? {} }),
  });
  return result<R>(res.status, await res.text().catch(() => ''));
}

// upload runs an operation with files, as the GraphQL multipart request
// spec says: the operation (its variables.files all null), then the map
// from parts to variables, then the files as parts "0", "1", …. It uses
// XMLHttpRequest for its upload progress events, reported as the fraction
// sent. The browser sets the Content-Type and its boundary.
export function upload<R, V extends { files?: unknown }>(op: Operation<R, V>, variables: Omit<V, 'files'>, files: File[], onProgress?: (sent: number) => void): Promise<R> {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query: op.toString(), variables: { ...variables, files: files.map(() => null) } }));
  form.append('map', JSON.stringify(Object.fromEntries(files.map((_, i) => [String(i), [`variables.files.${i}`]]))));
  files.forEach((f, i) => form.append(String(i), f, f.name));
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/graphql');
    xhr.withCredentials = true;
    xhr.setRequestHeader('X-Helpium-Session', 'cookie');
    if (onProgress) xhr.upload.addEventListener('progress', (e) => e.lengthComputable && e.total > 0 && onProgress(e.loaded / e.total));
    xhr.addEventListener('load', () => {
      try {
        resolve(result<R>(xhr.status, xhr.responseText));
      } catch (err) {
        reject(err);
      }
    });
    xhr.addEventListener('error', () => reject(new ApiError('Could not reach the server.', 'unavailable')));
    xhr.send(form);
  });
}

// result reads a GraphQL answer: its data, or its first error thrown.
function result<T>(status: number, text: string): T {
  let body: { data?: T; errors?: { message: string; extensions?: { code?: string; field?: string } }[] };
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError(`The server answered ${status}.`, 'unavailable');
  }
  if (body.errors?.length) {
    const e = body.errors[0];
    // extensions.field is the argument path ("input.ranges[0].day"); the
    // forms name their fields as the input object does.
    throw new ApiError(e.message, e.extensions?.code ?? 'internal', e.extensions?.field?.replace(/^input\./, ''));
  }
  return body.data as T;
}

let ws: Client | null = null;

function socket(): Client {
  if (!ws) {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    ws = createClient({ url: `${proto}//${location.host}/graphql?session=cookie`, lazy: true, retryAttempts: Infinity });
  }
  return ws;
}

// subscribe runs a subscription until the returned function is called.
export function subscribe<R, V extends Record<string, unknown>>(op: Operation<R, V>, variables: V, next: (data: R) => void): () => void {
  return socket().subscribe<R>({ query: op.toString(), variables }, {
    next: (v) => v.data && next(v.data as R),
    error: () => {},
    complete: () => {},
  });
}

// onLive calls fn with true each time the live connection is (re)made and
// with false when it drops, until the returned function is called.
export function onLive(fn: (live: boolean) => void): () => void {
  const offConnected = socket().on('connected', () => fn(true));
  const offClosed = socket().on('closed', () => fn(false));
  return () => { offConnected(); offClosed(); };
}

// closeSocket drops the live connection (after signing out).
export function closeSocket() {
  ws?.dispose();
  ws = null;
}

// The app's names for the shapes its operations return, all derived from
// the types generated from schema.graphql and src/operations.graphql.
export type { Role, ConversationStatus as Status } from './gql/graphql';
export type Agent = MeQuery['me'];
export type Membership = MeQuery['myWorkspaces'][number];
export type Message = MessageFieldsFragment;
export type Attachment = Message['attachments'][number];
export type ConversationSummary = InboxQuery['conversations']['edges'][number]['node'];
export type Conversation = ConversationQuery['conversation'];
// CSAT is the customer's rating of a resolved conversation.
export type CSAT = NonNullable<Conversation['csat']>;
// Activity is a passing signal in a conversation: someone typing, or the
// customer reading further.
export type Activity = ConversationActivitySubscription['conversationActivity'];
