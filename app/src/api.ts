// The public GraphQL API, with the session in an HttpOnly cookie: every
// request opts in with X-Helpium-Session (the server refuses it from
// another origin), and the WebSocket with ?session=cookie.
import { createClient, type Client } from 'graphql-ws';

export class ApiError extends Error {
  constructor(message: string, readonly code: string, readonly field?: string) {
    super(message);
  }
}

export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch('/graphql', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-Helpium-Session': 'cookie' },
    body: JSON.stringify({ query, variables }),
  });
  return result<T>(res.status, await res.text().catch(() => ''));
}

// upload runs an operation with files, as the GraphQL multipart request
// spec says: the operation (its variables.files all null), then the map
// from parts to variables, then the files as parts "0", "1", …. It uses
// XMLHttpRequest for its upload progress events, reported as the fraction
// sent. The browser sets the Content-Type and its boundary.
export function upload<T>(query: string, variables: Record<string, unknown>, files: File[], onProgress?: (sent: number) => void): Promise<T> {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query, variables: { ...variables, files: files.map(() => null) } }));
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
        resolve(result<T>(xhr.status, xhr.responseText));
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
    throw new ApiError(e.message, e.extensions?.code ?? 'internal', e.extensions?.field);
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
export function subscribe<T>(query: string, variables: Record<string, unknown>, next: (data: T) => void): () => void {
  return socket().subscribe<T>({ query, variables }, {
    next: (v) => v.data && next(v.data as T),
    error: () => {},
    complete: () => {},
  });
}

// closeSocket drops the live connection (after signing out).
export function closeSocket() {
  ws?.dispose();
  ws = null;
}

export type Role = 'OWNER' | 'ADMIN' | 'AGENT';
export type Status = 'OPEN' | 'PENDING' | 'RESOLVED' | 'CLOSED';

export interface Agent { id: string; name: string; email: string }
export interface Membership { role: Role; workspace: { id: string; name: string } }
export interface Attachment {
  id: string;
  filename: string;
  contentType: string;
  kind: 'IMAGE' | 'PDF' | 'TEXT' | 'CSV' | 'OFFICE';
  size: number;
  inline: boolean;
  url: string;
}
export interface Message {
  id: string;
  author: 'CUSTOMER' | 'AGENT' | 'BOT' | 'SYSTEM';
  body: string;
  internal: boolean;
  createdAt: string;
  authorAgent: { id: string; name: string } | null;
  attachments: Attachment[];
  answerId: string | null; // the customer's question and the AI's answer a handover copied in
}
export interface ConversationSummary {
  id: string;
  status: Status;
  lastMessageAt: string | null;
  customer: { email: string | null; name: string | null } | null;
  assignee: { id: string; name: string } | null;
  lastMessage: { body: string; author: string; internal: boolean; attachments: { filename: string }[] } | null;
  unreadCount: number; // the customer's messages this agent has not read
}
export interface Conversation {
  id: string;
  status: Status;
  identityVerified: boolean;
  assignee: { id: string; name: string } | null;
  customer: {
    id: string;
    email: string | null;
    name: string | null;
    verified: boolean;
    conversations: { edges: { node: { id: string; status: Status; lastMessageAt: string | null } }[] };
  } | null;
  messages: { edges: { node: Message }[] };
  seenUpTo: string | null; // the newest message the customer has read
  handedOverAt: string | null; // the customer asked the AI for a person
  csat: CSAT | null;
}
// CSAT is the customer's rating of a resolved conversation.
export interface CSAT { rating: number; comment: string | null; submittedAt: string }
// Activity is a passing signal in a conversation: someone typing, or the
// customer reading further.
export interface Activity {
  kind: 'TYPING' | 'READ';
  actor: Message['author'];
  agent: { id: string; name: string } | null;
  typing: boolean | null;
  expiresAt: string | null;
  lastReadMessageId: string | null;
  at: string;
}
