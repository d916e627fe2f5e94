// The public GraphQL API, with the session in an HttpOnly cookie: every
// request opts in with X-Helpium-Session (the server refuses it from
// another origin), and the WebSocket with ?session=cookie.
import { createClient, type Client } from 'graphql-ws';

export class ApiError extends Error {
  constructor(message: string, readonly code: string) {
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
  let body: { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
  try {
    body = await res.json();
  } catch {
    throw new ApiError(`The server answered ${res.status}.`, 'unavailable');
  }
  if (body.errors?.length) {
    const e = body.errors[0];
    throw new ApiError(e.message, e.extensions?.code ?? 'internal');
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
export interface Message {
  id: string;
  author: 'CUSTOMER' | 'AGENT' | 'BOT' | 'SYSTEM';
  body: string;
  internal: boolean;
  createdAt: string;
  authorAgent: { name: string } | null;
}
export interface ConversationSummary {
  id: string;
  status: Status;
  lastMessageAt: string | null;
  customer: { email: string | null; name: string | null } | null;
  assignee: { id: string; name: string } | null;
  lastMessage: { body: string; author: string; internal: boolean } | null;
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
}
