import './app.css';
import { render, type ComponentChildren } from 'preact';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { renderMarkdown } from '../../widget/src/markdown.js';
import {
  ApiError, closeSocket, gql, onLive, subscribe, upload,
  type Agent, type Attachment, type Conversation, type CSAT, type ConversationSummary, type Membership, type Message, type Status,
} from './api';
import {
  ArticleDocument, ArticlesDocument, AssignDocument, ContentGapsDocument, ConversationActivityDocument, ConversationChangedDocument,
  ConversationDocument, CreateActionDocument, CreateArticleDocument, DeleteActionDocument, DeleteArticleDocument, InboxDocument,
  InviteAgentDocument, LoginDocument, LogoutDocument, MarkReadDocument, MeDocument, MessageAddedDocument, NoteDocument,
  NotHelpfulDocument, PublishArticleDocument, RemoveAgentDocument, ReplyDocument, RotateIdentitySecretDocument,
  RotateWidgetKeyDocument, SetAgentRoleDocument, SetAllowedOriginsDocument, SetAttachmentLimitsDocument, SetAwayEmailDocument,
  SetIdentityVerificationDocument, SetRateLimitsDocument, SetStatusDocument, SetTypingDocument, SettingsDocument, StatsDocument,
  TryItDocument, UnpublishArticleDocument, UpdateActionDocument, UpdateArticleDocument, UpdateBusinessHoursDocument,
  UpdateWidgetSettingsDocument,
  type ActionFieldsFragment, type ActionInput, type ActionMethod, type ArticleFieldsFragment, type ArticleStatus,
  type AttachmentLimitsInput, type AwayEmailSettingsInput, type BusinessHoursInput, type ContentGapsQuery, type ConversationFilter,
  type NotHelpfulQuery, type Role, type SettingsQuery, type StatsQuery, type TryItQuery, type Weekday,
} from './gql/graphql';

function App() {
  const [me, setMe] = useState<{ agent: Agent; workspaces: Membership[] } | null | undefined>(undefined);
  const [error, setError] = useState('');
  const load = useCallback(() => {
    gql(MeDocument)
      .then((d) => setMe({ agent: d.me, workspaces: d.myWorkspaces }))
      .catch((e) => (e instanceof ApiError && e.code === 'unauthenticated' ? setMe(null) : setError(String(e.message))));
  }, []);
  useEffect(load, [load]);
  if (error) return <p role="alert" class="error">{error}</p>;
  if (me === undefined) return <p class="loading">Loading…</p>;
  if (me === null) return <SignIn onDone={load} />;
  return <Shell agent={me.agent} workspaces={me.workspaces} onSignOut={() => { closeSocket(); setMe(null); }} />;
}

function SignIn({ onDone }: { onDone: () => void }) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    setBusy(true);
    setError('');
    try {
      await gql(LoginDocument, { e: String(f.get('email')), p: String(f.get('password')) });
      onDone();
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };
  return (
    <main class="signin">
      <form onSubmit={submit} aria-labelledby="signin-title">
        <h1 id="signin-title">Sign in to Helpium</h1>
        <label>Email <input name="email" type="email" autocomplete="username" required autoFocus /></label>
        <label>Password <input name="password" type="password" autocomplete="current-password" required /></label>
        {error && <p role="alert" class="error">{error}</p>}
        <button type="submit" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </main>
  );
}

function Shell({ agent, workspaces, onSignOut }: { agent: Agent; workspaces: Membership[]; onSignOut: () => void }) {
  const [wsID, setWsID] = useState(workspaces[0]?.workspace.id ?? '');
  const [open, setOpen] = useState<string | null>(null);
  const role = workspaces.find((m) => m.workspace.id === wsID)?.role ?? 'AGENT';
  const admin = role !== 'AGENT';
  const [view, setView] = useState(['#kb', '#reports', '#settings'].includes(location.hash) ? location.hash.slice(1) : 'inbox');
  const shown = view === 'settings' && !admin ? 'inbox' : view;
  const [article, setArticle] = useState<string | null>(null); // to open in the knowledge base (from Reports)
  const go = (v: string) => { setArticle(null); setView(v); };
  useEffect(() => { history.replaceState(null, '', '#' + shown); }, [shown]);
  const [help, setHelp] = useState(false);
  // One live subscription to the workspace's conversation changes, shared
  // by the inbox and the open conversation; n counts the changes.
  const [change, setChange] = useState<Change | null>(null);
  // The open conversation says when it marked itself read, so the inbox
  // shows its unread count drop; n counts the reads.
  const [read, setRead] = useState<Change | null>(null);
  const onRead = useCallback((id: string) => setRead((r) => ({ id, kind: 'READ', n: (r?.n ?? 0) + 1 })), []);
  useEffect(() => subscribe(ConversationChangedDocument, { w: wsID },
    (d) => setChange((c) => ({ id: d.conversationChanged.conversation.id, kind: d.conversationChanged.change, n: (c?.n ?? 0) + 1 }))), [wsID]);
  // Changes made while the live connection was down (or not yet up) sent
  // no event: each time it is made, the inbox reloads as on a change.
  const [live, setLive] = useState(false);
  useEffect(() => onLive((up) => {
    setLive(up);
    if (up) setChange((c) => ({ id: '', kind: 'CONNECTED', n: (c?.n ?? 0) + 1 }));
  }), []);
  const signOut = async () => {
    await gql(LogoutDocument).catch(() => {});
    onSignOut();
  };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === '?' && !isTyping(e)) setHelp((h) => !h);
      if (e.key === 'Escape') setHelp(false);
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);
  if (!wsID) return <p class="error">You are not a member of any workspace yet.</p>;
  return (
    <div class="shell" data-live={live ? "on" : "off"}>
      <header>
        <strong class="brand">Helpium</strong>
        {workspaces.length > 1 ? (
          <label>Workspace{' '}
            <select value={wsID} onChange={(e) => { setWsID((e.target as HTMLSelectElement).value); setOpen(null); }}>
              {workspaces.map((m) => <option value={m.workspace.id}>{m.workspace.name}</option>)}
            </select>
          </label>
        ) : <span>{workspaces[0].workspace.name}</span>}
        <nav aria-label="Sections">
          <button type="button" class="tab" aria-current={view === 'inbox' ? 'page' : undefined} onClick={() => go('inbox')}>Inbox</button>
          <button type="button" class="tab" aria-current={view === 'kb' ? 'page' : undefined} onClick={() => go('kb')}>Knowledge base</button>
          <button type="button" class="tab" aria-current={view === 'reports' ? 'page' : undefined} onClick={() => go('reports')}>Reports</button>
          {admin && <button type="button" class="tab" aria-current={shown === 'settings' ? 'page' : undefined} onClick={() => go('settings')}>Settings</button>}
        </nav>
        <span class="spacer" />
        <button type="button" class="link" onClick={() => setHelp(true)}>Shortcuts</button>
        <span class="who">{agent.name || agent.email}</span>
        <button type="button" onClick={signOut}>Sign out</button>
      </header>
      {shown === 'settings' ? <Settings key={wsID} workspaceID={wsID} me={agent} /> : shown === 'reports' ? (
        <Reports key={wsID} workspaceID={wsID} admin={admin}
          onOpenArticle={(id) => { setArticle(id); setView('kb'); }} onOpenConversation={(id) => { setOpen(id); setView('inbox'); }} />
      ) : shown === 'kb' ? <KnowledgeBase key={wsID} workspaceID={wsID} canEdit={admin} initial={article} /> : (
        <div class={open ? 'panes has-open' : 'panes'}>
          <Inbox workspaceID={wsID} me={agent} open={open} onOpen={setOpen} change={change} read={read} />
          {open ? <ConversationView key={open} id={open} me={agent} change={change} onRead={onRead} onClose={() => setOpen(null)} />
            : <section class="empty" aria-label="Conversation"><p>Select a conversation.</p></section>}
        </div>
      )}
      {help && <Help onClose={() => setHelp(false)} />}
    </div>
  );
}

function isTyping(e: KeyboardEvent) {
  const t = e.target as HTMLElement;
  return t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT';
}

function Help({ onClose }: { onClose: () => void }) {
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => close.current?.focus(), []);
  return (
    <div class="overlay" role="dialog" aria-modal="true" aria-labelledby="help-title">
      <div class="dialog">
        <h2 id="help-title">Keyboard shortcuts</h2>
        <dl>
          <dt>j / k</dt><dd>Next / previous conversation</dd>
          <dt>Enter</dt><dd>Open the selected conversation</dd>
          <dt>r</dt><dd>Write a reply</dd>
          <dt>Ctrl+Enter</dt><dd>Send the reply</dd>
          <dt>?</dt><dd>Show or hide this list</dd>
          <dt>Esc</dt><dd>Close</dd>
        </dl>
        <button ref={close} type="button" onClick={onClose}>Close</button>
      </div>
    </div>
  );
}

type Who = 'all' | 'mine' | 'unassigned';

interface Change { id: string; kind: string; n: number }

// useNewChange calls fn for each change that arrives after the component
// mounted.
function useNewChange(change: Change | null, fn: (c: Change) => void) {
  const seen = useRef(change?.n ?? 0);
  useEffect(() => {
    if (change && change.n > seen.current) {
      seen.current = change.n;
      fn(change);
    }
  }, [change]);
}

// The inbox's render time, in the page's User Timing: the mark
// "inbox-data" when the answer for a first page has arrived (parsed), the
// mark "inbox-rendered" once the list drawn from it has been painted (in a
// task queued from the next animation frame, which runs after that
// frame's style, layout and paint), and the measure "inbox-render"
// between them. `make bench` (cmd/bench) reads it after each of a series
// of loads into BENCHMARKS.md; the browser tests log it. Only the latest
// is kept, as the inbox reloads on every live change all day.
const TIMING = ['inbox-data', 'inbox-rendered'];

function markInboxData() {
  TIMING.forEach((m) => performance.clearMarks(m));
  performance.clearMeasures('inbox-render');
  performance.mark('inbox-data');
}

function markInboxRendered() {
  requestAnimationFrame(() => setTimeout(() => {
    if (performance.getEntriesByName('inbox-data', 'mark').length === 0) return;
    performance.mark('inbox-rendered');
    performance.measure('inbox-render', 'inbox-data', 'inbox-rendered');
  }, 0));
}

function Inbox({ workspaceID, me, open, onOpen, change, read }: {
  workspaceID: string; me: Agent; open: string | null; onOpen: (id: string) => void; change: Change | null; read: Change | null;
}) {
  const [status, setStatus] = useState<Status | ''>('OPEN');
  const [who, setWho] = useState<Who>('all');
  const [text, setText] = useState('');
  const [items, setItems] = useState<ConversationSummary[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [cursor, setCursor] = useState(0);
  const [error, setError] = useState('');
  const filter: ConversationFilter = {
    ...(status ? { status: [status] } : {}),
    ...(who === 'mine' ? { assignee: { me: true } } : who === 'unassigned' ? { assignee: { none: true } } : {}),
    ...(text.trim() ? { text: text.trim() } : {}),
  };
  const key = JSON.stringify(filter);
  const latest = useRef(0); // answers to older requests (another filter) are dropped
  const drawn = useRef(false); // a first page arrived: mark when it is painted
  const load = useCallback((after: string | null) => {
    const seq = ++latest.current;
    gql(InboxDocument, { w: workspaceID, f: filter, after })
      .then((d) => {
        if (seq !== latest.current) return;
        if (!after) { markInboxData(); drawn.current = true; }
        const nodes = d.conversations.edges.map((e) => e.node);
        setItems((old) => (after ? [...old, ...nodes] : nodes));
        setNext(d.conversations.pageInfo.hasNextPage ? d.conversations.pageInfo.endCursor : null);
        setError('');
      })
      .catch((e) => setError(e.message));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [workspaceID, key]);
  useEffect(() => {
    const t = setTimeout(() => load(null), text ? 250 : 0);
    return () => clearTimeout(t);
  }, [load]);
  // After the commit that put a first page in the DOM.
  useLayoutEffect(() => {
    if (!drawn.current) return;
    drawn.current = false;
    markInboxRendered();
  }, [items]);
  // Live: any change reloads the first page, with each conversation's
  // unread count from the server. A read by the open conversation shows at
  // once, and reloads too: an answer to a reload sent before it is dropped.
  useNewChange(change, () => load(null));
  useNewChange(read, (r) => {
    setItems((old) => old.map((c) => (c.id === r.id ? { ...c, unreadCount: 0 } : c)));
    load(null);
  });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e) || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === 'j') setCursor((c) => Math.min(c + 1, items.length - 1));
      else if (e.key === 'k') setCursor((c) => Math.max(c - 1, 0));
      else if (e.key === 'Enter' && items[cursor]) onOpen(items[cursor].id);
      else return;
      e.preventDefault();
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  });
  return (
    <section class="inbox" aria-label="Inbox">
      <div class="filters">
        <label>Status{' '}
          <select value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value as Status | '')}>
            <option value="OPEN">Open</option><option value="PENDING">Pending</option>
            <option value="RESOLVED">Resolved</option><option value="CLOSED">Closed</option><option value="">All</option>
          </select>
        </label>
        <label>Assignee{' '}
          <select value={who} onChange={(e) => setWho((e.target as HTMLSelectElement).value as Who)}>
            <option value="all">All</option><option value="mine">Mine</option><option value="unassigned">Unassigned</option>
          </select>
        </label>
        <label class="search">Search <input type="search" value={text} onInput={(e) => setText((e.target as HTMLInputElement).value)} /></label>
      </div>
      {error && <p role="alert" class="error">{error}</p>}
      <ul class="list">
        {items.map((c, i) => (
          <li key={c.id}>
            <button type="button" class={[c.id === open && 'open', i === cursor && 'cursor', c.unreadCount > 0 && 'unread'].filter(Boolean).join(' ')}
              aria-current={c.id === open ? 'true' : undefined} onClick={() => { setCursor(i); onOpen(c.id); }}>
              <span class="row1">
                <span class="customer">{c.customer?.name || c.customer?.email || 'Visitor'}</span>
                {c.unreadCount > 0 && <span class="badge">{c.unreadCount}<span class="visually-hidden"> unread</span></span>}
                <time>{when(c.lastMessageAt)}</time>
              </span>
              <span class="preview">{c.lastMessage ? (c.lastMessage.internal ? 'Note: ' : '') + (c.lastMessage.body || c.lastMessage.attachments.map((a) => a.filename).join(', ')) : ''}</span>
              <span class="meta">{c.status.toLowerCase()}{c.assignee ? ` · ${c.assignee.id === me.id ? 'you' : c.assignee.name}` : ' · unassigned'}</span>
            </button>
          </li>
        ))}
      </ul>
      {items.length === 0 && !error && <p class="none">No conversations.</p>}
      {next && <button type="button" class="more" onClick={() => load(next)}>Load more</button>}
    </section>
  );
}


// Someone typing in the open conversation (the customer, or a colleague),
// shown until they stop, until their indicator expires, or until their
// message arrives.
interface Typist { key: string; name: string; until: number }

const typistOf = (m: Message) => (m.author === 'CUSTOMER' ? 'customer' : m.authorAgent?.id ?? '');

// findLast is Array.prototype.findLast, which ES2020 lacks.
function findLast<T>(list: T[], ok: (v: T) => boolean): T | undefined {
  for (let i = list.length - 1; i >= 0; i--) if (ok(list[i])) return list[i];
  return undefined;
}

function ConversationView({ id, me, change, onRead, onClose }: {
  id: string; me: Agent; change: Change | null; onRead: (id: string) => void; onClose: () => void;
}) {
  const [c, setC] = useState<Conversation | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [seen, setSeen] = useState<string | null>(null); // the newest message the customer has read
  const [typists, setTypists] = useState<Typist[]>([]);
  const [error, setError] = useState('');
  const load = useCallback(() => {
    gql(ConversationDocument, { id })
      .then((d) => { setC(d.conversation); setMessages(d.conversation.messages.edges.map((e) => e.node)); setSeen(d.conversation.seenUpTo); })
      .catch((e) => setError(e.message));
  }, [id]);
  useEffect(load, [load]);
  useEffect(() => subscribe(MessageAddedDocument, { c: id }, (d) => {
    const m = d.messageAdded;
    setMessages((ms) => (ms.some((x) => x.id === m.id) ? ms : [...ms, m]));
    setTypists((ts) => ts.filter((t) => t.key !== typistOf(m)));
  }), [id]);
  // Reloaded on its own changes, and each time the live connection is made
  // again: messages and reads while it was down sent no event.
  useNewChange(change, (c) => (c.id === id || c.kind === 'CONNECTED') && load());
  // Read: on opening, and on each new message from the customer while the
  // tab is visible (else once it is visible again).
  const loaded = c !== null;
  const lastFromCustomer = findLast(messages, (m) => m.author === 'CUSTOMER')?.id;
  useEffect(() => {
    if (!loaded) return;
    const mark = () => gql(MarkReadDocument, { c: id }).then(() => onRead(id)).catch(() => {});
    if (document.visibilityState === 'visible') {
      mark();
      return;
    }
    const onVisible = () => {
      if (document.visibilityState !== 'visible') return;
      document.removeEventListener('visibilitychange', onVisible);
      mark();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, [id, loaded, lastFromCustomer]);
  // The customer's typing and reads, and colleagues' typing (never one's
  // own). An indicator lasts as long as the server says (expiresAt - at,
  // which leaves the two clocks' difference out).
  useEffect(() => subscribe(ConversationActivityDocument, { c: id }, ({ conversationActivity: a }) => {
    if (a.kind === 'READ') {
      if (a.actor === 'CUSTOMER' && a.lastReadMessageId) setSeen(a.lastReadMessageId);
      return;
    }
    const key = a.actor === 'CUSTOMER' ? 'customer' : a.agent?.id;
    if (!key || key === me.id) return;
    const name = a.actor === 'CUSTOMER' ? 'Customer' : a.agent!.name || 'An agent';
    const ttl = a.expiresAt ? Date.parse(a.expiresAt) - Date.parse(a.at) : 6000;
    setTypists((ts) => [...ts.filter((t) => t.key !== key), ...(a.typing ? [{ key, name, until: Date.now() + ttl }] : [])]);
  }), [id, me.id]);
  useEffect(() => {
    if (!typists.length) return;
    const next = Math.min(...typists.map((t) => t.until));
    const timer = setTimeout(() => setTypists((ts) => ts.filter((t) => t.until > Date.now())), Math.max(0, next - Date.now()) + 50);
    return () => clearTimeout(timer);
  }, [typists]);
  const thread = useRef<HTMLOListElement>(null);
  useEffect(() => { thread.current?.lastElementChild?.scrollIntoView({ block: 'end' }); }, [messages.length]);
  // Files dropped anywhere on the conversation go to the reply box.
  const attach = useRef<(files: File[]) => void>();
  const [dragging, setDragging] = useState(false);
  const hasFiles = (e: DragEvent) => !!e.dataTransfer && [...e.dataTransfer.types].includes('Files');
  const onDrag = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer!.dropEffect = 'copy';
    setDragging(true);
  };
  const onDrop = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    setDragging(false);
    attach.current?.([...e.dataTransfer!.files]);
  };

  const act = (run: Promise<unknown>) => run.then(load).catch((e) => setError(e.message));
  if (!c) return <section class="conversation" aria-label="Conversation">{error ? <p role="alert" class="error">{error}</p> : <p class="loading">Loading…</p>}</section>;
  const closed = c.status === 'RESOLVED' || c.status === 'CLOSED';
  // "Seen" goes under the newest reply at or before the customer's read position.
  const seenReply = findLast(messages.slice(0, messages.findIndex((m) => m.id === seen) + 1), (m) => m.author === 'AGENT' && !m.internal)?.id;
  return (
    <section class={c.customer ? 'conversation with-customer' : 'conversation'} aria-label="Conversation">
      <div class={dragging ? 'main dragging' : 'main'} onDragEnter={onDrag} onDragOver={onDrag} onDrop={onDrop}
        onDragLeave={(e) => { if (!(e.currentTarget as HTMLElement).contains(e.relatedTarget as Node | null)) setDragging(false); }}>
      <div class="toolbar">
        <button type="button" class="back" onClick={onClose}>Back</button>
        <span class={`status ${c.status.toLowerCase()}`}>{c.status.toLowerCase()}</span>
        <span class="spacer" />
        {c.assignee?.id === me.id
          ? <button type="button" onClick={() => act(gql(AssignDocument, { c: id, a: null }))}>Unassign</button>
          : <button type="button" onClick={() => act(gql(AssignDocument, { c: id, a: me.id }))}>Assign to me</button>}
        <button type="button" onClick={() => act(gql(SetStatusDocument, { c: id, s: closed ? 'OPEN' : 'RESOLVED' }))}>{closed ? 'Reopen' : 'Resolve'}</button>
      </div>
      {error && <p role="alert" class="error">{error}</p>}
      <div class="conv-meta">
        <span class="assignee">{c.assignee ? `Assigned to ${c.assignee.id === me.id ? 'you' : c.assignee.name}` : 'Unassigned'}</span>
        {c.handedOverAt && <span class="pill ai" title={`The customer asked for a person ${when(c.handedOverAt)}`}>Handed over from the AI</span>}
        {c.csat && <Rating csat={c.csat} />}
      </div>
      <ol class="thread" ref={thread} aria-label="Messages">
        {messages.map((m) => m.author === 'SYSTEM' ? (
          <li key={m.id} class="msg system">{m.body} <time>{when(m.createdAt)}</time></li>
        ) : (
          <li key={m.id} class={`msg ${m.author.toLowerCase()}${m.internal ? ' note' : ''}`}>
            <span class="from">{m.internal ? 'Internal note · ' : ''}{from(m)}
              {m.answerId && m.author === 'CUSTOMER' && <> <span class="pill ai">asked the AI</span></>}</span>
            {m.body && <Markdown text={m.body} />}
            {m.attachments.length > 0 && <Files files={m.attachments} />}
            <time>{when(m.createdAt)}</time>
            {m.id === seenReply && <span class="seen">Seen</span>}
          </li>
        ))}
      </ol>
      <p class="typing" role="status">{typists.map((t) => `${t.name} is typing…`).join(' ')}</p>
      <Reply conversationID={id} attach={attach} onSent={(m) => setMessages((ms) => (ms.some((x) => x.id === m.id) ? ms : [...ms, m]))} />
      {dragging && <div class="drop" aria-hidden="true">Drop files to attach them</div>}
      </div>
      {c.customer && <CustomerPanel c={c} />}
    </section>
  );
}

function from(m: Message) {
  switch (m.author) {
    case 'CUSTOMER': return 'Customer';
    case 'AGENT': return m.authorAgent?.name || 'Agent';
    case 'BOT': return 'AI answer';
    default: return 'System';
  }
}

// Rating is the customer's CSAT rating of the conversation, with their
// comment.
function Rating({ csat }: { csat: CSAT }) {
  return (
    <span class="csat">
      Rated <strong><span aria-hidden="true">★ </span>{csat.rating}/5</strong>
      {csat.comment && <> · <q>{csat.comment}</q></>}
    </span>
  );
}

function CustomerPanel({ c }: { c: Conversation }) {
  const cu = c.customer!;
  const others = cu.conversations.edges.map((e) => e.node).filter((o) => o.id !== c.id);
  return (
    <aside class="customer-panel" aria-label="Customer">
      <h2>{cu.name || cu.email || 'Customer'}</h2>
      {cu.email && <p>{cu.email}</p>}
      <p>{c.identityVerified ? <span class="verified">Verified</span> : <span class="unverified">Not verified</span>}</p>
      {others.length > 0 && (<><h3>Other conversations</h3><ul>{others.map((o) => <li key={o.id}>{o.status.toLowerCase()} · {when(o.lastMessageAt)}</li>)}</ul></>)}
    </aside>
  );
}

// Files lists a message's attachments: images as thumbnails that open the
// full image, other files as download links with their size.
function Files({ files }: { files: Attachment[] }) {
  return (
    <ul class="files" aria-label="Attachments">
      {files.map((a) => (
        <li key={a.id}>
          {a.inline
            ? <a class="thumb" href={a.url} target="_blank" rel="noopener"><img src={a.url} alt={`${a.filename}, ${size(a.size)}`} loading="lazy" /></a>
            : <a class="file" href={a.url} download={a.filename}><span class="name">{a.filename}</span> <span class="size">{size(a.size)}</span></a>}
        </li>
      ))}
    </ul>
  );
}

interface Draft { file: File; url: string | null }

const draftOf = (file: File): Draft => ({ file, url: /^image\/(png|jpeg|gif|webp|bmp)$/.test(file.type) ? URL.createObjectURL(file) : null });

function Reply({ conversationID, attach, onSent }: { conversationID: string; attach: { current?: (files: File[]) => void }; onSent: (m: Message) => void }) {
  const [body, setBody] = useState('');
  const [note, setNote] = useState(false);
  const [preview, setPreview] = useState(false);
  const [error, setError] = useState<{ text: string; file: number } | null>(null);
  const [files, setFiles] = useState<Draft[]>([]);
  const [sending, setSending] = useState<number | null>(null); // the fraction uploaded while sending
  // One idempotency key per draft: a resend after a lost answer is not
  // stored twice; any edit makes it another message.
  const key = useRef(crypto.randomUUID());
  const edited = () => { key.current = crypto.randomUUID(); };
  // Typing: a start at most every 2 s while the box has a reply's text (the
  // server drops more, and each start keeps the indicator up 6 s; never
  // while writing an internal note, which the customer must not notice), a
  // stop when the draft is sent, emptied, left or made a note, only after a
  // start. Failures are silent.
  const typing = useRef({ on: false, last: 0 });
  const setTyping = (on: boolean) => {
    const t = typing.current;
    if (on ? Date.now() - t.last < 2000 : !t.on) return;
    if (on) t.last = Date.now();
    t.on = on;
    gql(SetTypingDocument, { c: conversationID, t: on }).catch(() => {});
  };
  useEffect(() => () => setTyping(false), []); // leaving the conversation
  const box = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const latest = useRef(files);
  latest.current = files;
  useEffect(() => () => latest.current.forEach((d) => d.url && URL.revokeObjectURL(d.url)), []);
  const add = (list: File[]) => {
    if (!list.length) return;
    setFiles((fs) => [...fs, ...list.map(draftOf)]);
    setError(null);
    edited();
  };
  attach.current = add;
  const remove = (d: Draft) => {
    if (d.url) URL.revokeObjectURL(d.url);
    setFiles((fs) => fs.filter((x) => x !== d));
    setError(null);
    edited();
    box.current?.focus();
  };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'r' && !isTyping(e) && !e.ctrlKey && !e.metaKey) { e.preventDefault(); box.current?.focus(); }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);
  const send = async (e?: Event) => {
    e?.preventDefault();
    if ((!body.trim() && !files.length) || sending !== null) return;
    setTyping(false);
    setSending(0);
    try {
      let m: Message;
      if (files.length) {
        const list = files.map((d) => d.file);
        m = note
          ? (await upload(NoteDocument, { c: conversationID, b: body }, list, setSending)).addInternalNote
          : (await upload(ReplyDocument, { c: conversationID, b: body, k: key.current }, list, setSending)).replyToConversation.message;
      } else {
        m = note
          ? (await gql(NoteDocument, { c: conversationID, b: body })).addInternalNote
          : (await gql(ReplyDocument, { c: conversationID, b: body, k: key.current })).replyToConversation.message;
      }
      onSent(m);
      files.forEach((d) => d.url && URL.revokeObjectURL(d.url));
      setFiles([]);
      setBody('');
      setPreview(false);
      setError(null);
      edited();
    } catch (err) {
      const field = err instanceof ApiError ? /^files\[(\d+)\]$/.exec(err.field ?? '') : null;
      setError({ text: fileError((err as Error).message), file: field ? Number(field[1]) : -1 });
    } finally {
      setSending(null);
    }
  };
  return (
    <form class={note ? 'reply note' : 'reply'} onSubmit={send} aria-busy={sending !== null}>
      {preview ? <div class="preview-box" aria-label="Preview"><Markdown text={body} /></div> : (
        <label class="visually-hidden" for="reply-body">{note ? 'Internal note' : 'Reply'}</label>
      )}
      {!preview && <textarea id="reply-body" ref={box} rows={4} value={body} placeholder={note ? 'Internal note, agents only' : 'Reply to the customer (Markdown)'}
        onInput={(e) => { const v = (e.target as HTMLTextAreaElement).value; setBody(v); edited(); setTyping(!note && v !== ''); }}
        onBlur={() => setTyping(false)}
        onPaste={(e) => {
          const pasted = [...(e.clipboardData?.files ?? [])];
          if (!pasted.length) return;
          if (!e.clipboardData!.types.includes('text/plain')) e.preventDefault();
          add(pasted);
        }}
        onKeyDown={(e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) send(); }} />}
      {files.length > 0 && (
        <ul class="chips" aria-label="Files to send">
          {files.map((d, i) => (
            <li key={d.url ?? `${d.file.name}-${i}`} class={error?.file === i ? 'chip bad' : 'chip'}>
              {d.url && <img src={d.url} alt="" />}
              <span class="name">{d.file.name}</span> <span class="size">{size(d.file.size)}</span>
              <button type="button" class="link" aria-label={`Remove ${d.file.name}`} onClick={() => remove(d)}>×</button>
            </li>
          ))}
        </ul>
      )}
      {error && <p role="alert" class="error">{error.text}</p>}
      {sending !== null && files.length > 0 && <progress max={100} value={Math.round(sending * 100)} aria-label="Uploading the files" />}
      <div class="reply-actions">
        <label><input type="checkbox" checked={note} onChange={(e) => {
          const on = (e.target as HTMLInputElement).checked;
          setNote(on);
          edited();
          setTyping(!on && body !== ''); // a note is for agents: the customer never sees it being written
        }} /> Internal note</label>
        <button type="button" class="link" onClick={() => setPreview(!preview)}>{preview ? 'Edit' : 'Preview'}</button>
        <button type="button" class="link" onClick={() => picker.current?.click()}>Attach files</button>
        <input ref={picker} type="file" multiple hidden onChange={(e) => {
          const input = e.target as HTMLInputElement;
          add([...(input.files ?? [])]);
          input.value = ''; // choosing the same file again is a change too
        }} />
        <span class="spacer" />
        <button type="submit" disabled={(!body.trim() && !files.length) || sending !== null}>{sending !== null ? 'Sending…' : note ? 'Add note' : 'Send'}</button>
      </div>
    </form>
  );
}

// fileError is the server's refusal of a file, which starts with the form
// field ("files[0] (setup.exe) is not…"): the name alone reads better.
function fileError(message: string) {
  return message.replace(/^files\[\d+\] \((.*)\)(?= is |: )/, '$1');
}

function size(n: number) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;
}

type Article = ArticleFieldsFragment;

// KnowledgeBase lists the articles and opens one in the editor: the one
// chosen, or initial (an article a report links to).
function KnowledgeBase({ workspaceID, canEdit, initial }: { workspaceID: string; canEdit: boolean; initial: string | null }) {
  const [status, setStatus] = useState<ArticleStatus | ''>('');
  const [text, setText] = useState('');
  const [items, setItems] = useState<Article[]>([]);
  const [editing, setEditing] = useState<Article | 'new' | null>(null);
  const [error, setError] = useState('');
  const latest = useRef(0);
  const load = useCallback(() => {
    const filter = { ...(status ? { status } : {}), ...(text.trim() ? { text: text.trim() } : {}) };
    const seq = ++latest.current;
    gql(ArticlesDocument, { w: workspaceID, f: filter })
      .then((d) => { if (seq === latest.current) { setItems(d.articles.edges.map((e) => e.node)); setError(''); } })
      .catch((e) => setError(e.message));
  }, [workspaceID, status, text]);
  useEffect(() => { const t = setTimeout(load, text ? 250 : 0); return () => clearTimeout(t); }, [load]);
  useEffect(() => {
    if (!initial) return;
    gql(ArticleDocument, { id: initial })
      .then((d) => setEditing(d.article))
      .catch((e) => setError(e.message));
  }, [initial]);
  const act = (run: Promise<unknown>) => run.then(() => { setEditing(null); load(); }).catch((e) => setError(e.message));
  return (
    <div class="kb">
      <section class="kb-list" aria-label="Articles">
        <div class="filters">
          <label>Status{' '}
            <select value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value as ArticleStatus | '')}>
              <option value="">All</option><option value="PUBLISHED">Published</option><option value="DRAFT">Draft</option>
            </select>
          </label>
          <label class="search">Filter <input type="search" value={text} onInput={(e) => setText((e.target as HTMLInputElement).value)} /></label>
          {canEdit && <button type="button" onClick={() => setEditing('new')}>New article</button>}
        </div>
        {error && <p role="alert" class="error">{error}</p>}
        <ul class="list">
          {items.map((a) => (
            <li key={a.id}>
              <button type="button" class={editing !== 'new' && editing?.id === a.id ? 'open' : ''} onClick={() => setEditing(a)}>
                <span class="row1"><span class="customer">{a.title}</span><span class={`pill ${a.status.toLowerCase()}`}>{a.status.toLowerCase()}</span></span>
                <span class="meta">{a.tags.join(', ')}{a.tags.length ? ' · ' : ''}updated {when(a.updatedAt)}</span>
              </button>
            </li>
          ))}
        </ul>
        {items.length === 0 && !error && <p class="none">No articles.</p>}
      </section>
      <section class="kb-main" aria-label="Article">
        {editing ? <ArticleEditor key={editing === 'new' ? 'new' : editing.id} article={editing === 'new' ? null : editing} canEdit={canEdit}
          onSave={(title, body) => editing === 'new'
            ? act(gql(CreateArticleDocument, { w: workspaceID, t: title, b: body }))
            : act(gql(UpdateArticleDocument, { id: editing.id, t: title, b: body }))}
          onPublish={(a) => act(a.status === 'PUBLISHED' ? gql(UnpublishArticleDocument, { id: a.id }) : gql(PublishArticleDocument, { id: a.id }))}
          onDelete={(a) => confirm(`Delete "${a.title}"?`) && act(gql(DeleteArticleDocument, { id: a.id }))} />
          : <TryIt workspaceID={workspaceID} />}
      </section>
    </div>
  );
}

function ArticleEditor({ article, canEdit, onSave, onPublish, onDelete }: {
  article: Article | null; canEdit: boolean;
  onSave: (title: string, body: string) => void; onPublish: (a: Article) => void; onDelete: (a: Article) => void;
}) {
  const [title, setTitle] = useState(article?.title ?? '');
  const [body, setBody] = useState(article?.body ?? '');
  const [preview, setPreview] = useState(!canEdit);
  const dirty = title !== (article?.title ?? '') || body !== (article?.body ?? '');
  return (
    <form class="editor" onSubmit={(e) => { e.preventDefault(); onSave(title, body); }}>
      <label>Title <input value={title} required readOnly={!canEdit} onInput={(e) => setTitle((e.target as HTMLInputElement).value)} /></label>
      {preview ? <div class="preview-box" aria-label="Preview"><Markdown text={body} /></div>
        : <label>Body (Markdown) <textarea rows={16} value={body} required onInput={(e) => setBody((e.target as HTMLTextAreaElement).value)} /></label>}
      <div class="reply-actions">
        {canEdit && <button type="button" class="link" onClick={() => setPreview(!preview)}>{preview ? 'Edit' : 'Preview'}</button>}
        <span class="spacer" />
        {canEdit && article && <button type="button" class="danger" onClick={() => onDelete(article)}>Delete</button>}
        {canEdit && article && !dirty && <button type="button" onClick={() => onPublish(article)}>{article.status === 'PUBLISHED' ? 'Unpublish' : 'Publish'}</button>}
        {canEdit && <button type="submit" disabled={!dirty || !title.trim() || !body.trim()}>{article ? 'Save' : 'Create draft'}</button>}
      </div>
    </form>
  );
}


// TryIt shows what the widget would show a customer for a question: the
// published articles its search finds and its AI answer.
function TryIt({ workspaceID }: { workspaceID: string }) {
  const [q, setQ] = useState('');
  const [out, setOut] = useState<TryItQuery | null>(null);
  const [error, setError] = useState('');
  const run = (e: Event) => {
    e.preventDefault();
    gql(TryItDocument, { q, w: workspaceID })
      .then((d) => { setOut(d); setError(''); })
      .catch((err) => setError(err.message));
  };
  return (
    <form class="tryit" onSubmit={run}>
      <h2>Try it</h2>
      <p>Ask as a customer would, and see what the widget would show: its search results among published articles, and its answer.</p>
      <label>Customer question <input value={q} required onInput={(e) => setQ((e.target as HTMLInputElement).value)} /></label>
      <button type="submit">Try</button>
      {error && <p role="alert" class="error">{error}</p>}
      {out && (
        <div class="tryit-out">
          <h3>Answer {out.answer.answered ? `(confidence ${out.answer.confidence.toFixed(2)})` : '(none: the fallback message)'}</h3>
          <div class="preview-box answer"><Markdown text={out.answer.answer} /></div>
          {out.answer.sources.length > 0 && <ol class="results">{out.answer.sources.map((s) => <li>{s.title}</li>)}</ol>}
          <h3>Search results</h3>
          {out.searchArticles.results.length === 0 ? <p class="none">Nothing relevant.</p> : (
            <ol class="results">{out.searchArticles.results.map((r) => <li key={r.articleId}><strong>{r.title}</strong> <span class="meta">{r.score.toFixed(2)}</span><p>{r.snippet}</p></li>)}</ol>
          )}
        </div>
      )}
    </form>
  );
}

const METHODS: ActionMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
// Action is an AI Action as admins see it: header values included (agents
// get null values); parameters is a JSON Schema for an object.
type Action = ActionFieldsFragment;
// ActionCall is the audit record of one call: no ok of its own, so a call
// went well when it has a 2xx status and no error.
type ActionCall = SettingsQuery['actionCalls'][number];

type WorkspaceSettings = SettingsQuery['workspace'];
// The workspace's AI Actions and the newest audit records of their calls,
// loaded with the settings.
type ActionsData = Pick<SettingsQuery, 'actions' | 'actionCalls'>;

declare global {
  interface Window { Helpium?: { init(o: { apiKey: string }): Promise<unknown>; shutdown(): void } }
}

// Settings are for owners and admins (the tab is hidden from agents, and
// the API refuses them). Each form is keyed by the saved values it shows:
// it starts again when they change, and a reload after another form's
// save leaves unsaved edits alone.
function Settings({ workspaceID, me }: { workspaceID: string; me: Agent }) {
  const [ws, setWs] = useState<WorkspaceSettings | null>(null);
  const [actions, setActions] = useState<ActionsData>({ actions: [], actionCalls: [] });
  const [error, setError] = useState('');
  const [saved, setSaved] = useState('');
  const load = useCallback(() => {
    gql(SettingsDocument, { w: workspaceID })
      .then((d) => { setWs(d.workspace); setActions({ actions: d.actions, actionCalls: d.actionCalls }); })
      .catch((e) => setError(e.message));
  }, [workspaceID]);
  useEffect(load, [load]);
  // The preview is the real widget, loaded from this server with the
  // workspace's key and started again after every save.
  // It restarts only when what it shows changed, not on every reload of
  // the settings (a role change, new origins).
  const preview = ws ? JSON.stringify([ws.widgetKey, ws.widgetConfig]) : '';
  useEffect(() => {
    if (!ws) return;
    const start = () => { window.Helpium?.shutdown(); window.Helpium?.init({ apiKey: ws.widgetKey }).catch(() => {}); };
    if (window.Helpium) { start(); return; }
    const script = document.createElement('script');
    script.src = '/widget.js';
    script.onload = start;
    document.head.append(script);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [preview]);
  useEffect(() => () => window.Helpium?.shutdown(), []);
  const act = (what: string, run: Promise<unknown>) =>
    run.then(() => { setSaved(what); setError(''); load(); }).catch((e) => { setSaved(''); setError(e.message); });
  // actFields is act for a form that shows the server's field errors next
  // to its fields: it rejects with an error naming a field the form owns,
  // for the form to show, reports any other error as act does, and
  // resolves to whether it saved.
  const actFields = (owns: (field: string) => boolean, what: string, run: Promise<unknown>) =>
    run.then(() => { setSaved(what); setError(''); load(); return true; }, (e) => {
      setSaved('');
      if (e instanceof ApiError && e.field && owns(e.field)) { setError(''); throw e; }
      setError(e.message);
      return false;
    });
  if (!ws) return <section class="settings">{error ? <p role="alert" class="error">{error}</p> : <p class="loading">Loading…</p>}</section>;
  const w = ws.widgetConfig;
  const saveWidget = (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const v = (k: string) => String(f.get(k));
    act('Widget saved.', gql(UpdateWidgetSettingsDocument, {
      w: workspaceID,
      p: {
        colors: { primary: v('primary'), background: v('background'), text: v('text') },
        position: v('position') === 'BOTTOM_LEFT' ? 'BOTTOM_LEFT' : 'BOTTOM_RIGHT', greeting: v('greeting'), launcherText: v('launcherText'),
      },
    }));
  };
  return (
    <section class="settings" aria-label="Settings">
      <p role="status" class="saved">{saved}</p>
      {error && <p role="alert" class="error">{error}</p>}
      <form class="card" key={JSON.stringify(w)} onSubmit={saveWidget}>
        <h2>Widget</h2>
        <div class="colors">
          <label>Primary colour <input name="primary" type="color" defaultValue={w.colors.primary} /></label>
          <label>Background <input name="background" type="color" defaultValue={w.colors.background} /></label>
          <label>Text <input name="text" type="color" defaultValue={w.colors.text} /></label>
          <label>Position{' '}
            <select name="position">
              <option value="BOTTOM_RIGHT" selected={w.position === 'BOTTOM_RIGHT'}>Bottom right</option>
              <option value="BOTTOM_LEFT" selected={w.position === 'BOTTOM_LEFT'}>Bottom left</option>
            </select>
          </label>
        </div>
        <label>Greeting <input name="greeting" defaultValue={w.greeting} maxLength={500} /></label>
        <label>Launcher text <input name="launcherText" defaultValue={w.launcherText} maxLength={40} /></label>
        <p class="meta">The widget on this page is the real one with these settings; it restarts after each save.</p>
        <button type="submit">Save widget</button>
      </form>
      <form class="card" key={ws.allowedOrigins.join()} onSubmit={(e) => {
        e.preventDefault();
        const origins = String(new FormData(e.currentTarget as HTMLFormElement).get('origins')).split('\n').map((o) => o.trim()).filter(Boolean);
        act('Allowed origins saved.', gql(SetAllowedOriginsDocument, { w: workspaceID, o: origins }));
      }}>
        <h2>Allowed origins</h2>
        <label>One per line, e.g. https://www.example.com; empty allows any site to use the widget key
          <textarea name="origins" rows={3} defaultValue={ws.allowedOrigins.join('\n')} />
        </label>
        <button type="submit">Save origins</button>
      </form>
      <BusinessHoursForm key={JSON.stringify(ws.businessHours)} value={ws.businessHours} onSave={(bh) =>
        actFields((f) => BUSINESS_HOURS_FIELD.test(f), 'Business hours saved.', gql(UpdateBusinessHoursDocument, { w: workspaceID, in: bh }))} />
      <form class="card" key={JSON.stringify(ws.rateLimits)} onSubmit={(e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget as HTMLFormElement);
        const n = (k: string) => Number(f.get(k));
        act('Rate limits saved.', gql(SetRateLimitsDocument,
          { w: workspaceID, in: { customerApiPerMinute: n('api'), conversationsPerMinute: n('conversations'), messagesPerMinute: n('messages') } }));
      }}>
        <h2>Rate limits, per minute</h2>
        <div class="colors">
          <label>Customer API requests <input name="api" type="number" min={1} required defaultValue={ws.rateLimits.customerApiPerMinute} /></label>
          <label>New conversations per visitor <input name="conversations" type="number" min={1} required defaultValue={ws.rateLimits.conversationsPerMinute} /></label>
          <label>Messages per visitor <input name="messages" type="number" min={1} required defaultValue={ws.rateLimits.messagesPerMinute} /></label>
        </div>
        <button type="submit">Save limits</button>
      </form>
      <AttachmentLimitsForm key={JSON.stringify(ws.attachmentLimits)} value={ws.attachmentLimits} onError={(m) => { setSaved(''); setError(m); }} onSave={(input) =>
        act('Attachment limits saved.', gql(SetAttachmentLimitsDocument, { w: workspaceID, in: input }))} />
      <AwayEmailForm key={JSON.stringify(ws.awayEmail)} value={ws.awayEmail} onSave={(input) =>
        actFields((f) => AWAY_FIELDS.includes(f), 'Away email saved.', gql(SetAwayEmailDocument, { w: workspaceID, in: input }))} />
      <ActionsCard actions={actions.actions} calls={actions.actionCalls} onRefresh={load}
        onSave={(id, input) => id
          ? actFields((f) => ACTION_FORM_FIELDS.includes(f), 'Action saved.', gql(UpdateActionDocument, { id, in: input }))
          : actFields((f) => ACTION_FORM_FIELDS.includes(f), 'Action created.', gql(CreateActionDocument, { w: workspaceID, in: input }))}
        onDelete={(a) => act('Action deleted.', gql(DeleteActionDocument, { id: a.id }))} />
      <div class="card">
        <h2>Identity verification</h2>
        <p class="meta">Your server signs each customer's email with this secret (hex HMAC-SHA256 of the lower-cased email) and passes it to the widget as user_hash.</p>
        <IdentitySecret secret={ws.identitySecret} />
        <label class="inline"><input type="checkbox" checked={ws.requireIdentityVerification}
          onChange={(e) => act('Identity verification saved.', gql(SetIdentityVerificationDocument, { w: workspaceID, r: (e.target as HTMLInputElement).checked }))} />
          {' '}Refuse identify calls without a valid user hash</label>
        <button type="button" class="danger" onClick={() => confirm('Rotate the identity secret? User hashes made with the old one stop verifying.') &&
          act('Identity secret rotated.', gql(RotateIdentitySecretDocument, { w: workspaceID }))}>Rotate secret</button>
      </div>
      <div class="card">
        <h2>Members</h2>
        <Scroll label="Members"><table>
          <thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Role</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>{ws.members.map((m) => (
            <tr key={m.agent.id}>
              <td>{m.agent.name}</td><td>{m.agent.email}</td>
              <td><select aria-label={`Role of ${m.agent.email}`} value={m.role} disabled={m.agent.id === me.id}
                onChange={(e) => act('Role changed.', gql(SetAgentRoleDocument, { w: workspaceID, a: m.agent.id, r: (e.target as HTMLSelectElement).value as Role }))}>
                <option value="OWNER">Owner</option><option value="ADMIN">Admin</option><option value="AGENT">Agent</option>
              </select></td>
              <td>{m.agent.id !== me.id && <button type="button" class="danger" onClick={() => confirm(`Remove ${m.agent.email}?`) &&
                act('Member removed.', gql(RemoveAgentDocument, { w: workspaceID, a: m.agent.id }))}>Remove</button>}</td>
            </tr>
          ))}</tbody>
        </table></Scroll>
        <form class="invite" onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget as HTMLFormElement);
          act('Invitation sent.', gql(InviteAgentDocument, { w: workspaceID, e: String(f.get('email')), r: f.get('role') as Role }));
        }}>
          <label>Invite by email <input name="email" type="email" required /></label>
          <label>Role <select name="role"><option value="AGENT">Agent</option><option value="ADMIN">Admin</option><option value="OWNER">Owner</option></select></label>
          <button type="submit">Invite</button>
        </form>
      </div>
      <div class="card">
        <h2>Widget key</h2>
        <p><code>{ws.widgetKey}</code></p>
        <button type="button" class="danger" onClick={() => confirm('Rotate the widget key? Sites using the old key stop working until updated.') &&
          act('Widget key rotated.', gql(RotateWidgetKeyDocument, { w: workspaceID }))}>Rotate key</button>
      </div>
    </section>
  );
}

type CSATSummary = StatsQuery['stats']['csat']; // distribution: ratings of 1 to 5
type DayStats = StatsQuery['stats']['days'][number] & { csatAverage?: number | null }; // the day's csat.average, for Bars
type Stats = Omit<StatsQuery['stats'], 'days'> & { days: DayStats[] };

const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const daysAgo = (n: number) => isoDay(new Date(Date.now() - n * 864e5));
const PERIODS = [7, 30, 90]; // the period picker's "last N days"

// Reports draws the stats query over a chosen range of days (the last 7,
// 30 or 90, or any), with the customers' ratings; for owners and admins
// the content-gap report of the same days; for everyone the answers
// customers voted not helpful.
function Reports({ workspaceID, admin, onOpenArticle, onOpenConversation }: {
  workspaceID: string; admin: boolean; onOpenArticle: (id: string) => void; onOpenConversation: (id: string) => void;
}) {
  const [from, setFrom] = useState(daysAgo(29));
  const [to, setTo] = useState(daysAgo(0));
  const [stats, setStats] = useState<Stats | null>(null);
  const [error, setError] = useState('');
  const period = to === daysAgo(0) ? PERIODS.find((n) => from === daysAgo(n - 1)) : undefined;
  // The days from..to as instants [start, end): the range includes its last day.
  const start = from + 'T00:00:00Z';
  const last = new Date(to + 'T00:00:00Z');
  last.setUTCDate(last.getUTCDate() + 1);
  const end = last.toISOString();
  useEffect(() => {
    let live = true;
    gql(StatsDocument, { w: workspaceID, f: start, t: end })
      .then((d) => {
        if (!live) return;
        setStats({ ...d.stats, days: d.stats.days.map((day) => ({ ...day, csatAverage: day.csat.average })) });
        setError('');
      })
      .catch((e) => live && setError(e.message));
    return () => { live = false; };
  }, [workspaceID, start, end]);
  return (
    <section class="reports" aria-label="Reports">
      <div class="filters">
        <label>Period{' '}
          <select value={period ?? ''} onChange={(e) => {
            const n = Number((e.target as HTMLSelectElement).value);
            if (n) { setFrom(daysAgo(n - 1)); setTo(daysAgo(0)); }
          }}>
            {PERIODS.map((n) => <option key={n} value={n}>Last {n} days</option>)}
            <option value="" disabled={period !== undefined}>Custom</option>
          </select>
        </label>
        <label>From <input type="date" value={from} max={to} onChange={(e) => setFrom((e.target as HTMLInputElement).value)} /></label>
        <label>To <input type="date" value={to} min={from} onChange={(e) => setTo((e.target as HTMLInputElement).value)} /></label>
      </div>
      {error && <p role="alert" class="error">{error}</p>}
      {stats && (<>
        <dl class="tiles">
          <div><dt>Opened</dt><dd>{stats.opened}</dd></div>
          <div><dt>Resolved</dt><dd>{stats.resolved}</dd></div>
          <div><dt>Open now</dt><dd>{stats.openNow}</dd></div>
          <div><dt>Median first response</dt><dd>{duration(stats.medianFirstResponseSeconds)}</dd></div>
          <div><dt>Median resolution</dt><dd>{duration(stats.medianResolutionSeconds)}</dd></div>
          <div class="csat-tile"><dt>CSAT average</dt><dd>{rating(stats.csat.average)}{stats.csat.average != null && <span class="of"> / 5</span>}</dd></div>
          <div><dt>Ratings</dt><dd>{stats.csat.count}</dd></div>
        </dl>
        <div class="card">
          <h2 id="chart-volume">Opened and resolved per day</h2>
          <Bars days={stats.days} series={[['opened', 'Opened', '#0f766e'], ['resolved', 'Resolved', '#1d4ed8']]} labelledBy="chart-volume" format={String} />
        </div>
        <div class="card">
          <h2 id="chart-times">Median first response and resolution per day</h2>
          <Bars days={stats.days} series={[['medianFirstResponseSeconds', 'First response', '#b45309'], ['medianResolutionSeconds', 'Resolution', '#7c3aed']]} labelledBy="chart-times" format={duration} />
        </div>
        <section class="card" aria-labelledby="csat-title">
          <h2 id="csat-title">Customer satisfaction</h2>
          {stats.csat.count === 0 ? <p class="none">No ratings in this period.</p> : (<>
            <Distribution csat={stats.csat} />
            <h3 id="chart-csat">Average rating per day</h3>
            <Bars days={stats.days} series={[['csatAverage', 'Average rating', '#a16207']]} labelledBy="chart-csat" format={rating} max={5} />
          </>)}
        </section>
      </>)}
      {admin && <ContentGaps workspaceID={workspaceID} from={start} to={end} onOpenArticle={onOpenArticle} />}
      <NotHelpful workspaceID={workspaceID} from={start} to={end} onOpenConversation={onOpenConversation} />
    </section>
  );
}

const rating = (v: number | null) => (v == null ? '—' : v.toFixed(1));
const percent = (v: number) => `${Math.round(v * 100)}%`;

// Distribution draws how many ratings of 5 down to 1 the period had, a
// table with a bar in each row (SVG attributes, no inline styles).
function Distribution({ csat }: { csat: CSATSummary }) {
  const max = Math.max(1, ...csat.distribution);
  return (
    <table class="distribution">
      <caption class="visually-hidden">Ratings, from 5 (very good) to 1 (very bad)</caption>
      <tbody>{[5, 4, 3, 2, 1].map((r) => {
        const n = csat.distribution[r - 1] ?? 0;
        return (
          <tr key={r}>
            <th scope="row">{r} <span aria-hidden="true">★</span><span class="visually-hidden">{r === 1 ? 'star' : 'stars'}</span></th>
            <td class="bar"><svg viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
              <rect width="100" height="10" fill="#e2e8f0" /><rect width={(100 * n) / max} height="10" fill="#a16207" />
            </svg></td>
            <td class="n">{n} <span class="meta">({percent(n / csat.count)})</span></td>
          </tr>
        );
      })}</tbody>
    </table>
  );
}

type GapReport = ContentGapsQuery['contentGaps'];

// ContentGaps is the content-gap report (owners and admins: the API
// refuses agents, and Reports does not show it to them): how many AI
// answers settled the question, then the unanswered questions grouped by
// meaning, largest group first, with the articles that came closest.
function ContentGaps({ workspaceID, from, to, onOpenArticle }: { workspaceID: string; from: string; to: string; onOpenArticle: (id: string) => void }) {
  // The answer is kept with the period it is for: another period shows
  // Loading… at once, never the last period's groups.
  const period = `${workspaceID} ${from} ${to}`;
  const [answer, setAnswer] = useState<{ period: string; report?: GapReport; error?: string } | null>(null);
  useEffect(() => {
    let live = true;
    gql(ContentGapsDocument, { w: workspaceID, f: from, t: to })
      .then((d) => live && setAnswer({ period, report: d.contentGaps }))
      .catch((e) => live && setAnswer({ period, error: e.message }));
    return () => { live = false; };
  }, [period]);
  const { report, error } = answer?.period === period ? answer : { report: undefined, error: undefined };
  const d = report?.deflection;
  return (
    <section class="card gaps" aria-labelledby="gaps-title" aria-busy={!report && !error}>
      <h2 id="gaps-title">Content gaps</h2>
      <p class="meta">The questions the AI could not answer, or whose answer the customer voted not helpful, grouped by meaning: the articles to write next.</p>
      {error ? <p role="alert" class="error">{error}</p> : !report || !d ? <p class="loading">Loading…</p> : (<>
        <p class="deflection">{d.rate == null ? 'No AI answers in this period.' : (<>
          <strong>{percent(d.rate)}</strong> of AI answers settled the question: {d.answers - d.ledToConversation} of {d.answers};{' '}
          {d.ledToConversation} led to a conversation within 24 hours.
        </>)}</p>
        {report.clusters.length === 0 ? <p class="none">No unanswered questions in this period.</p> : (<>
          <p>{report.questions} unanswered {report.questions === 1 ? 'question' : 'questions'}, largest group first:</p>
          <ol class="clusters">
            {report.clusters.map((c, i) => (
              <li key={i} class="cluster">
                <strong class="size">{c.size} {c.size === 1 ? 'question' : 'questions'}</strong>
                <ul class="examples">{c.examples.map((q) => <li key={q}><q>{q}</q></li>)}</ul>
                <p class="closest">{c.articles.length === 0 ? 'No article comes close.' : (<>
                  Closest {c.articles.length === 1 ? 'article' : 'articles'}:{' '}
                  {c.articles.map((a, j) => (
                    <span key={a.articleId}>{j > 0 && ', '}
                      <a href="#kb" onClick={(e) => { e.preventDefault(); onOpenArticle(a.articleId); }}>{a.title}</a>{' '}
                      <span class="meta">({a.score.toFixed(2)})</span>
                    </span>
                  ))}
                </>)}</p>
              </li>
            ))}
          </ol>
        </>)}
      </>)}
    </section>
  );
}

type AnswerRecord = NotHelpfulQuery['answers'][number];

// NotHelpful lists the AI answers customers voted not helpful in the
// period, newest first, each with the conversation it led to.
function NotHelpful({ workspaceID, from, to, onOpenConversation }: { workspaceID: string; from: string; to: string; onOpenConversation: (id: string) => void }) {
  const [items, setItems] = useState<AnswerRecord[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    let live = true;
    setError('');
    gql(NotHelpfulDocument, { w: workspaceID, f: from, t: to })
      .then((d) => live && setItems(d.answers))
      .catch((e) => live && setError(e.message));
    return () => { live = false; };
  }, [workspaceID, from, to]);
  return (
    <section class="card" aria-labelledby="unhelpful-title">
      <h2 id="unhelpful-title">Answers voted not helpful</h2>
      {error ? <p role="alert" class="error">{error}</p> : !items ? <p class="loading">Loading…</p>
        : items.length === 0 ? <p class="none">No AI answer was voted not helpful in this period.</p> : (
          <ol class="answers">
            {items.map((a) => (
              <li key={a.id}>
                <p class="question"><strong>{a.question}</strong> <time class="meta" dateTime={a.createdAt}>{when(a.createdAt)}</time></p>
                {a.answer.answered
                  ? <details><summary>The AI's answer</summary><div class="preview-box"><Markdown text={a.answer.answer} /></div></details>
                  : <p class="meta">The AI did not answer.</p>}
                {a.feedback?.comment && <p>The customer said: <q>{a.feedback.comment}</q></p>}
                {a.conversation && <a class="open-conversation" href="#inbox" onClick={(e) => { e.preventDefault(); onOpenConversation(a.conversation!.id); }}>Open the conversation</a>}
              </li>
            ))}
          </ol>
        )}
      {items?.length === 50 && <p class="meta">The 50 most recent.</p>}
    </section>
  );
}

type NumKey = 'opened' | 'resolved' | 'medianFirstResponseSeconds' | 'medianResolutionSeconds' | 'csatAverage';

// Bars draws grouped bars in SVG (attributes only, no inline styles, for
// the CSP), with the same numbers in a table for screen readers. The scale
// runs to max, or to the largest value.
function Bars({ days, series, labelledBy, format, max: top }: {
  days: DayStats[]; series: [NumKey, string, string][]; labelledBy: string; format: (v: number | null) => string; max?: number;
}) {
  const max = top ?? Math.max(1, ...days.flatMap((d) => series.map(([k]) => d[k] ?? 0)));
  const W = 720, H = 180, pad = 24, slot = (W - pad) / Math.max(1, days.length), bar = Math.max(2, (slot - 6) / series.length);
  return (
    <>
      <svg viewBox={`0 0 ${W} ${H + 24}`} class="chart" aria-hidden="true">
        <line x1={pad} y1={H} x2={W} y2={H} stroke="#94a3b8" />
        {days.map((d, i) => (
          <g key={d.date}>
            {series.map(([k, , color], j) => {
              const v = d[k] ?? 0;
              const h = (v / max) * (H - 10);
              return <rect x={pad + i * slot + 3 + j * bar} y={H - h} width={bar - 1} height={h} fill={color} />;
            })}
            {(days.length <= 16 || i % Math.ceil(days.length / 16) === 0) &&
              <text x={pad + i * slot + slot / 2} y={H + 16} font-size="11" text-anchor="middle" fill="#475569">{d.date.slice(5)}</text>}
          </g>
        ))}
        <text x={0} y={12} font-size="11" fill="#475569">{format(max)}</text>
      </svg>
      <p class="legend">{series.map(([, name, color]) => <span key={name}><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill={color} /></svg> {name}</span>)}</p>
      <table class="visually-hidden" aria-labelledby={labelledBy}>
        <thead><tr><th scope="col">Day</th>{series.map(([, name]) => <th scope="col">{name}</th>)}</tr></thead>
        <tbody>{days.map((d) => <tr key={d.date}><th scope="row">{d.date}</th>{series.map(([k]) => <td>{format(d[k] ?? null)}</td>)}</tr>)}</tbody>
      </table>
    </>
  );
}

function duration(s: number | null) {
  if (s == null) return '—';
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} d`;
}

const WEEK: Weekday[] = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];
// The fields of BusinessHoursInput whose refusal BusinessHoursForm shows
// under the field (a closure's is reported above the cards).
const BUSINESS_HOURS_FIELD = /^(timezone|outOfOfficeMessage|ranges\[\d+\]\.(day|start|end))$/;
type BusinessHours = WorkspaceSettings['businessHours'];

// A range being edited: key tells rows apart while ranges are added and
// removed.
interface RangeRow { key: number; day: Weekday; start: string; end: string }
// A field the form or the server refuses: the id of its input, and the
// message shown under it, which names it.
interface Refusal { id: string; message: string }

let rangeRowID = 0; // keys for opening ranges, which may be added and removed
const MAX_RANGES = 100; // the API's limit, for the whole week
const dayName = (d: Weekday) => d.charAt(0) + d.slice(1).toLowerCase();
const minutes = (t: string) => (/^\d\d:\d\d$/.test(t) ? Number(t.slice(0, 2)) * 60 + Number(t.slice(3)) : NaN);
const clock = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

// rangeLabel names a day's range as the form's labels and messages do:
// the day alone for its only range, else with the range's number.
const rangeLabel = (d: Weekday, i: number, n: number) => (n > 1 ? `${dayName(d)}, range ${i + 1}` : dayName(d));

// checkRanges is the first range the server would refuse, or that is
// surely a mistake (two ranges of a day that overlap), in the order the
// form shows them.
function checkRanges(rows: RangeRow[]): Refusal | null {
  for (const d of WEEK) {
    const day = rows.filter((r) => r.day === d);
    for (const [i, r] of day.entries()) {
      const label = rangeLabel(d, i, day.length);
      if (!r.start) return { id: `bh-${r.key}-start`, message: `${label}: enter the opening time.` };
      if (!r.end) return { id: `bh-${r.key}-end`, message: `${label}: enter the closing time.` };
      if (r.start === r.end) return { id: `bh-${r.key}-end`, message: `${label}: the closing time must differ from the opening time.` };
      const o = day.slice(0, i).findIndex((x) => x.start < x.end && r.start < r.end && r.start < x.end && x.start < r.end);
      if (o >= 0) {
        return { id: `bh-${r.key}-start`, message: `${label} (${r.start}–${r.end}) overlaps range ${o + 1} (${day[o].start}–${day[o].end}).` };
      }
    }
  }
  return null;
}

// BusinessHoursForm edits the weekly opening hours (any number of ranges a
// day: a range that closes at or before it opens ends the next day), the
// closures and the away message. A range the form or the server refuses
// shows its message under the day, naming the range and the field, marked
// invalid and focused, as in AwayEmailForm; what was typed stays.
function BusinessHoursForm({ value, onSave }: { value: BusinessHours; onSave: (bh: BusinessHoursInput) => Promise<unknown> }) {
  const [bh, setBh] = useState(value); // Settings remounts it when the saved hours change
  const [rows, setRows] = useState<RangeRow[]>(() => value.ranges.map((r) => ({ key: ++rangeRowID, ...r })));
  const [closure, setClosure] = useState('');
  const [invalid, setInvalid] = useState<Refusal | null>(null);
  const [focus, setFocus] = useState<string | null>(null); // the id of the element to focus after a render
  // Layout effects: the focus moves in the same task as the change it follows.
  useLayoutEffect(() => { if (invalid) document.getElementById(invalid.id)?.focus(); }, [invalid]);
  useLayoutEffect(() => {
    if (!focus) return;
    document.getElementById(focus)?.focus();
    setFocus(null);
  }, [focus]);
  const setRow = (key: number, r: Partial<RangeRow>) => setRows(rows.map((x) => (x.key === key ? { ...x, ...r } : x)));
  // add opens a day, or gives it one more range: an hour after its last
  // one closes, for four hours, when that fits in the day.
  const add = (d: Weekday) => {
    const last = findLast(rows, (r) => r.day === d);
    const start = last ? minutes(last.end) + 60 : 9 * 60;
    const fits = start + 60 <= 24 * 60;
    const r = { key: ++rangeRowID, day: d, start: fits ? clock(start) : '', end: fits ? clock(Math.min(start + (last ? 240 : 8 * 60), 24 * 60 - 1)) : '' };
    setRows([...rows, r]);
    return r.key;
  };
  const bad = (id: string) => invalid?.id === id;
  const described = (id: string) => (bad(id) ? `${id}-error` : undefined);
  const message = (id: string) => bad(id) && <p id={`${id}-error`} class="error field-error">{invalid!.message}</p>;
  const time = (r: RangeRow, field: 'start' | 'end', label: string) => {
    const id = `bh-${r.key}-${field}`;
    const v = r[field];
    return <input type="time" id={id} aria-label={label} required value={field === 'end' && v === '24:00' ? '23:59' : v}
      aria-invalid={bad(id) || undefined} aria-describedby={described(id)}
      onInput={(e) => setRow(r.key, { [field]: (e.target as HTMLInputElement).value })} />;
  };
  const submit = (e: Event) => {
    e.preventDefault();
    const problem = checkRanges(rows);
    setInvalid(problem);
    if (problem) return;
    // The ranges go in the order shown, so the server's ranges[i] is sent[i].
    const sent = WEEK.flatMap((d) => rows.filter((r) => r.day === d));
    onSave({
      enabled: bh.enabled, timezone: bh.timezone, outOfOfficeMessage: bh.outOfOfficeMessage,
      ranges: sent.map(({ day, start, end }) => ({ day, start, end })),
      closures: bh.closures.map((c) => ({ date: c.date, reason: c.reason })),
    }).catch((err) => {
      if (!(err instanceof ApiError) || !err.field) return;
      const m = /^ranges\[(\d+)\]\.(day|start|end)$/.exec(err.field);
      const r = m ? sent[Number(m[1])] : undefined;
      if (r) {
        const day = sent.filter((x) => x.day === r.day);
        const field = m![2] === 'end' ? 'end' : 'start';
        setInvalid({ id: `bh-${r.key}-${field}`, message: `${rangeLabel(r.day, day.indexOf(r), day.length)}, ${field === 'end' ? 'closes' : 'opens'}: ${err.message}` });
      } else if (err.field === 'timezone') {
        setInvalid({ id: 'bh-timezone', message: `Time zone: ${err.message}` });
      } else if (err.field === 'outOfOfficeMessage') {
        setInvalid({ id: 'bh-message', message: `Message while away: ${err.message}` });
      }
    });
  };
  return (
    <form class="card" onSubmit={submit} noValidate>
      <h2>Business hours</h2>
      <label class="inline"><input type="checkbox" checked={bh.enabled} onChange={(e) => setBh({ ...bh, enabled: (e.target as HTMLInputElement).checked })} /> Keep business hours (otherwise always open)</label>
      <label>Time zone (IANA, e.g. Europe/Amsterdam)
        <input id="bh-timezone" value={bh.timezone} required aria-invalid={bad('bh-timezone') || undefined} aria-describedby={described('bh-timezone')}
          onInput={(e) => setBh({ ...bh, timezone: (e.target as HTMLInputElement).value })} />
      </label>
      {message('bh-timezone')}
      <div class="hours" role="group" aria-labelledby="bh-hours-title">
        <h3 id="bh-hours-title">Opening hours</h3>
        <p class="meta hint">Each day may have several ranges; one that closes at or before it opens ends the next day.</p>
        {WEEK.map((d) => {
          const name = dayName(d);
          const day = rows.filter((r) => r.day === d);
          return (
            <div key={d} class="day" role="group" aria-labelledby={`bh-${d}-name`}>
              <label class="inline day-name">
                <input type="checkbox" id={`bh-${d}-open`} aria-label={`Open on ${name}`} checked={day.length > 0}
                  onChange={(e) => {
                    if ((e.target as HTMLInputElement).checked) add(d);
                    else setRows(rows.filter((r) => r.day !== d));
                  }} />
                <span id={`bh-${d}-name`}>{name}</span>
              </label>
              <div class="ranges">
                {day.length === 0 && <span class="meta">Closed</span>}
                {day.map((r, i) => {
                  const label = day.length > 1 ? `${name}, range ${i + 1},` : name;
                  return (
                    <div key={r.key} class="range">
                      {time(r, 'start', `${label} opens`)}
                      <span aria-hidden="true">–</span>
                      {time(r, 'end', `${label} closes`)}
                      <button type="button" class="link" onClick={() => {
                        setRows(rows.filter((x) => x.key !== r.key));
                        if (bad(`bh-${r.key}-start`) || bad(`bh-${r.key}-end`)) setInvalid(null);
                        setFocus(day.length > 1 ? `bh-${d}-add` : `bh-${d}-open`);
                      }}>Remove<span class="visually-hidden"> {rangeLabel(d, i, day.length)}</span></button>
                    </div>
                  );
                })}
                {day.map((r) => [message(`bh-${r.key}-start`), message(`bh-${r.key}-end`)])}
                {day.length > 0 && (
                  <button type="button" class="link add-range" id={`bh-${d}-add`} disabled={rows.length >= MAX_RANGES}
                    onClick={() => setFocus(`bh-${add(d)}-start`)}>Add range<span class="visually-hidden"> on {name}</span></button>
                )}
              </div>
            </div>
          );
        })}
      </div>
      <div class="invite">
        <label>Closed all day on <input type="date" value={closure} onInput={(e) => setClosure((e.target as HTMLInputElement).value)} /></label>
        <button type="button" disabled={!closure} onClick={() => { setBh({ ...bh, closures: [...bh.closures.filter((c) => c.date !== closure), { date: closure, reason: null }] }); setClosure(''); }}>Add closure</button>
      </div>
      {bh.closures.length > 0 && <ul>{bh.closures.map((c) => (
        <li key={c.date}>{c.date}{c.reason ? ` (${c.reason})` : ''} <button type="button" class="link" onClick={() => setBh({ ...bh, closures: bh.closures.filter((x) => x.date !== c.date) })}>Remove<span class="visually-hidden"> {c.date}</span></button></li>
      ))}</ul>}
      <label>Message while away
        <input id="bh-message" value={bh.outOfOfficeMessage} maxLength={500} aria-invalid={bad('bh-message') || undefined} aria-describedby={described('bh-message')}
          onInput={(e) => setBh({ ...bh, outOfOfficeMessage: (e.target as HTMLInputElement).value })} />
      </label>
      {message('bh-message')}
      <button type="submit">Save business hours</button>
    </form>
  );
}

const KINDS: [Attachment['kind'], string][] = [
  ['IMAGE', 'Images (PNG, JPEG, GIF, WebP, BMP)'], ['PDF', 'PDF'], ['TEXT', 'Plain text'], ['CSV', 'CSV'],
  ['OFFICE', 'Office documents (Word, Excel, PowerPoint, OpenDocument)'],
];

// AttachmentLimitsForm edits what customers and agents may attach. The
// API reads an empty list of kinds as every kind, so the form asks for at
// least one rather than send that.
function AttachmentLimitsForm({ value, onSave, onError }: {
  value: WorkspaceSettings['attachmentLimits']; onSave: (input: AttachmentLimitsInput) => void; onError: (message: string) => void;
}) {
  return (
    <form class="card" onSubmit={(e) => {
      e.preventDefault();
      const f = new FormData(e.currentTarget as HTMLFormElement);
      const kinds = f.getAll('kinds') as Attachment['kind'][];
      if (!kinds.length) { onError('Choose at least one kind of file.'); return; }
      onSave({ maxFileBytes: Math.round(Number(f.get('mb')) * 1024 * 1024), maxFilesPerMessage: Number(f.get('perMessage')),
        maxFilesPerConversation: Number(f.get('perConversation')), allowedKinds: kinds });
    }}>
      <h2>Attachments</h2>
      <div class="colors">
        <label>Largest file, MB <input name="mb" type="number" min={0.1} max={25} step={0.1} required defaultValue={String(+(value.maxFileBytes / (1024 * 1024)).toFixed(1))} /></label>
        <label>Files per message <input name="perMessage" type="number" min={1} max={10} required defaultValue={String(value.maxFilesPerMessage)} /></label>
        <label>Files per conversation <input name="perConversation" type="number" min={1} max={1000} required defaultValue={String(value.maxFilesPerConversation)} /></label>
      </div>
      <fieldset>
        <legend>Kinds of file accepted (judged by content, never by name)</legend>
        {KINDS.map(([k, label]) => (
          <label class="inline" key={k}><input type="checkbox" name="kinds" value={k} defaultChecked={value.allowedKinds.includes(k)} /> {label}</label>
        ))}
      </fieldset>
      <button type="submit">Save attachment limits</button>
    </form>
  );
}

type AwayEmail = WorkspaceSettings['awayEmail'];
const AWAY_FIELDS = ['delayMinutes', 'resumeUrl'];

// AwayEmailForm edits the email an identified customer gets when an agent
// replies after they left. The server's refusal of a field shows under it
// (the field marked invalid and described by the message) and takes the
// focus; what was typed stays, as the form starts again only when a save
// succeeds.
function AwayEmailForm({ value, onSave }: { value: AwayEmail; onSave: (input: AwayEmailSettingsInput) => Promise<unknown> }) {
  const [invalid, setInvalid] = useState<{ field: string; message: string } | null>(null);
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (invalid) (form.current?.elements.namedItem(invalid.field) as HTMLInputElement | null)?.focus();
  }, [invalid]);
  const bad = (field: string) => invalid?.field === field;
  const errorID = (field: string) => `away-${field}-error`;
  const message = (field: string) => bad(field) && <p id={errorID(field)} class="error field-error">{invalid!.message}</p>;
  return (
    <form class="card" ref={form} onSubmit={(e) => {
      e.preventDefault();
      const f = new FormData(e.currentTarget as HTMLFormElement);
      const url = String(f.get('resumeUrl') ?? '').trim();
      setInvalid(null);
      onSave({ enabled: f.get('enabled') === 'on', delayMinutes: Number(f.get('delayMinutes')), resumeUrl: url || null })
        .catch((err) => { if (err instanceof ApiError && err.field) setInvalid({ field: err.field, message: err.message }); });
    }}>
      <h2>Email when the customer is away</h2>
      <p class="meta">When an agent replies and the customer has left, Helpium emails them the reply (identified customers only).</p>
      <label class="inline"><input type="checkbox" name="enabled" defaultChecked={value.enabled} /> Email replies to customers who have left</label>
      <div class="colors">
        <label>Delay, minutes (1 to 1440)
          <input name="delayMinutes" type="number" min={1} max={1440} required defaultValue={String(value.delayMinutes)}
            aria-invalid={bad('delayMinutes') || undefined} aria-describedby={bad('delayMinutes') ? errorID('delayMinutes') : undefined} />
        </label>
      </div>
      {message('delayMinutes')}
      <label>Resume page URL
        <input name="resumeUrl" type="url" maxLength={2000} placeholder="https://shop.example.com/help" defaultValue={value.resumeUrl ?? ''}
          aria-invalid={bad('resumeUrl') || undefined} aria-describedby={['away-resumeUrl-hint', bad('resumeUrl') ? errorID('resumeUrl') : ''].join(' ').trim()} />
      </label>
      <p id="away-resumeUrl-hint" class="meta hint">The page of your site where the widget runs: the email's link reopens the conversation there. Empty: the email has no link.</p>
      {message('resumeUrl')}
      <button type="submit">Save away email</button>
    </form>
  );
}

const MAX_ACTION_HEADERS = 20;
// The fields of ActionInput the server names in its refusals (a duplicate
// name is a conflict on name), each shown under its field.
const ACTION_FORM_FIELDS = ['name', 'description', 'method', 'urlTemplate', 'parameters', 'headers',
  ...[...Array(MAX_ACTION_HEADERS).keys()].flatMap((i) => ['headers[' + i + '].name', 'headers[' + i + '].value'])];

// ActionsCard lists the workspace's AI Actions, opens one (or a new one) in
// ActionForm, deletes them, and shows the newest calls from the audit log.
// Focus goes into the form when it opens and back to the button that
// opened it when it closes.
function ActionsCard({ actions, calls, onSave, onDelete, onRefresh }: {
  actions: Action[]; calls: ActionCall[];
  onSave: (id: string | null, input: ActionInput) => Promise<boolean>; onDelete: (a: Action) => Promise<void>; onRefresh: () => void;
}) {
  const [editing, setEditing] = useState<Action | 'new' | null>(null);
  const [focus, setFocus] = useState<string | null>(null); // the id of the element to focus after a render
  const card = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!focus) return;
    (document.getElementById(focus) ?? card.current?.querySelector('h2'))?.focus();
    setFocus(null);
  }, [focus]);
  const close = () => { setFocus(editing === 'new' || !editing ? 'action-new' : `action-edit-${editing.id}`); setEditing(null); };
  return (
    <div class="card actions-card" ref={card}>
      <h2 tabIndex={-1}>AI Actions</h2>
      <p class="meta">Calls into your own application that agents run from a conversation and the AI uses when it answers a customer. Only public https addresses are reached.</p>
      {actions.length === 0 ? <p class="none">No actions yet.</p> : (
        <ul class="action-list">{actions.map((a) => (
          <li key={a.id}>
            <span class="row1"><strong class="name">{a.name}</strong><span class="pill">{a.method}</span>
              {a.requiresCustomerToken && <span class="pill">customer's token</span>}</span>
            <code class="url">{a.urlTemplate}</code>
            <p>{a.description}</p>
            {a.headers.length > 0 && <p class="meta">Headers: {a.headers.map((h) => h.name).join(', ')}</p>}
            <span class="reply-actions">
              <button type="button" class="link" id={`action-edit-${a.id}`} disabled={editing !== null} onClick={() => setEditing(a)}>Edit<span class="visually-hidden"> {a.name}</span></button>
              <button type="button" class="danger" disabled={editing !== null} onClick={() => confirm(`Delete the action ${a.name}? The AI and agents can no longer use it; the records of its calls stay.`) &&
                onDelete(a).then(() => setFocus('action-new'))}>Delete<span class="visually-hidden"> {a.name}</span></button>
            </span>
          </li>
        ))}</ul>
      )}
      {editing ? (
        <ActionForm key={editing === 'new' ? 'new' : editing.id + editing.updatedAt} action={editing === 'new' ? null : editing} onCancel={close}
          onSave={(input) => onSave(editing === 'new' ? null : editing.id, input).then((ok) => { if (ok) close(); })} />
      ) : <button type="button" id="action-new" onClick={() => setEditing('new')}>New action</button>}
      <h3>Recent calls</h3>
      {calls.length === 0 ? <p class="none">No calls yet.</p> : (
        <Scroll label="Recent calls"><table class="calls">
          <thead><tr><th scope="col">Action</th><th scope="col">When</th><th scope="col">By</th><th scope="col">Result</th><th scope="col">Time</th></tr></thead>
          <tbody>{calls.map((c) => {
            const ok = !c.error && c.statusCode != null && c.statusCode >= 200 && c.statusCode < 300;
            return (
              <tr key={c.id}>
                <td>{c.actionName}</td>
                <td><time dateTime={c.createdAt}>{new Date(c.createdAt).toLocaleString()}</time></td>
                <td>{c.caller === 'AI' ? 'AI' : c.agent?.name || c.agent?.email || 'Agent'}</td>
                <td class={ok ? 'ok' : 'failed'}>{ok ? 'OK' : 'Failed'}{c.statusCode != null ? ` (${c.statusCode})` : ''}{c.error ? `: ${c.error}` : ''}</td>
                <td>{c.durationMs} ms</td>
              </tr>
            );
          })}</tbody>
        </table></Scroll>
      )}
      <button type="button" class="link" onClick={onRefresh}>Refresh calls</button>
    </div>
  );
}

let headerRowID = 0; // keys for header rows, which may be added and removed

// ActionForm creates or edits an action: every field of ActionInput, the
// headers as name/value rows and the parameters' JSON Schema as JSON,
// checked for syntax here and judged by the server. A refusal shows under
// its field (marked invalid, described by the message) and takes the
// focus, as in AwayEmailForm; what was typed stays.
function ActionForm({ action, onSave, onCancel }: { action: Action | null; onSave: (input: ActionInput) => Promise<void>; onCancel: () => void }) {
  const [invalid, setInvalid] = useState<{ field: string; message: string } | null>(null);
  const [headers, setHeaders] = useState(() => (action?.headers ?? []).map((h) => ({ key: ++headerRowID, name: h.name, value: h.value ?? '' })));
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => { (form.current?.elements.namedItem('name') as HTMLInputElement | null)?.focus(); }, []);
  useEffect(() => {
    if (invalid) (form.current?.elements.namedItem(invalid.field) as HTMLElement | null)?.focus();
  }, [invalid]);
  const bad = (field: string) => invalid?.field === field;
  const errorID = (field: string) => `action-${field.replace(/[.[\]]+/g, '-')}-error`;
  const message = (field: string) => bad(field) && <p id={errorID(field)} class="error field-error">{invalid!.message}</p>;
  // described is a field's aria-describedby: its hint, and the message while it is refused.
  const described = (field: string, hint?: string) => [hint ?? '', bad(field) ? errorID(field) : ''].join(' ').trim() || undefined;
  const setHeader = (i: number, h: { name?: string; value?: string }) => setHeaders(headers.map((x, j) => (j === i ? { ...x, ...h } : x)));
  const title = action ? `Edit ${action.name}` : 'New action';
  return (
    <form class="action-form" ref={form} aria-label={title} onSubmit={(e) => {
      e.preventDefault();
      const f = new FormData(e.currentTarget as HTMLFormElement);
      setInvalid(null);
      let parameters: unknown;
      try {
        parameters = JSON.parse(String(f.get('parameters') ?? ''));
      } catch (err) {
        setInvalid({ field: 'parameters', message: `The parameters are not valid JSON: ${(err as Error).message}` });
        return;
      }
      onSave({
        name: String(f.get('name') ?? ''), description: String(f.get('description') ?? ''), method: f.get('method') as ActionMethod,
        urlTemplate: String(f.get('urlTemplate') ?? ''), parameters, headers: headers.map(({ name, value }) => ({ name, value })),
        requiresCustomerToken: f.get('requiresCustomerToken') === 'on',
      }).catch((err) => { if (err instanceof ApiError && err.field) setInvalid({ field: err.field, message: err.message }); });
    }}>
      <h3>{title}</h3>
      <div class="colors">
        <label>Name
          <input name="name" required maxLength={64} autocomplete="off" spellcheck={false} defaultValue={action?.name ?? ''} placeholder="lookup_order"
            aria-invalid={bad('name') || undefined} aria-describedby={described('name', 'action-name-hint')} />
        </label>
        <label>Method{' '}
          <select name="method" aria-invalid={bad('method') || undefined} aria-describedby={described('method')}>
            {METHODS.map((m) => <option value={m} selected={(action?.method ?? 'GET') === m}>{m}</option>)}
          </select>
        </label>
      </div>
      <p id="action-name-hint" class="meta hint">The AI's tool name: a letter, then letters, digits, _ and -; unique in the workspace.</p>
      {message('name')}
      {message('method')}
      <label>Description
        <textarea name="description" rows={2} required maxLength={1000} defaultValue={action?.description ?? ''}
          aria-invalid={bad('description') || undefined} aria-describedby={described('description', 'action-description-hint')} />
      </label>
      <p id="action-description-hint" class="meta hint">Tells the AI when and how to use the action.</p>
      {message('description')}
      <label>URL template
        <input name="urlTemplate" inputMode="url" required maxLength={2000} autocomplete="off" spellcheck={false} defaultValue={action?.urlTemplate ?? ''}
          placeholder="https://api.example.com/orders/{order_id}" aria-invalid={bad('urlTemplate') || undefined} aria-describedby={described('urlTemplate', 'action-urlTemplate-hint')} />
      </label>
      <p id="action-urlTemplate-hint" class="meta hint">An https URL; {'{param}'} placeholders in the path and query, each a property of the parameters.</p>
      {message('urlTemplate')}
      <label>Parameters (JSON Schema of an object)
        <textarea name="parameters" rows={8} required spellcheck={false}
          defaultValue={JSON.stringify(action?.parameters ?? { type: 'object', properties: {}, required: [] }, null, 2)}
          aria-invalid={bad('parameters') || undefined} aria-describedby={described('parameters', 'action-parameters-hint')} />
      </label>
      <p id="action-parameters-hint" class="meta hint">Parameters not in the URL go in the JSON body (POST, PUT, PATCH) or the query string (GET, DELETE).</p>
      {message('parameters')}
      <fieldset>
        <legend>Request headers</legend>
        {headers.length > 0 && (
          <Scroll label="Request headers"><table class="headers">
            <thead><tr><th scope="col">Name</th><th scope="col">Value</th><th scope="col"><span class="visually-hidden">Remove</span></th></tr></thead>
            <tbody>{headers.map((h, i) => [
              <tr key={h.key}>
                <td><input name={`headers[${i}].name`} aria-label={`Header ${i + 1} name`} required autocomplete="off" spellcheck={false} value={h.name}
                  onInput={(e) => setHeader(i, { name: (e.target as HTMLInputElement).value })}
                  aria-invalid={bad(`headers[${i}].name`) || undefined} aria-describedby={described(`headers[${i}].name`)} /></td>
                <td><input name={`headers[${i}].value`} aria-label={`Header ${i + 1} value`} autocomplete="off" spellcheck={false} value={h.value}
                  onInput={(e) => setHeader(i, { value: (e.target as HTMLInputElement).value })}
                  aria-invalid={bad(`headers[${i}].value`) || undefined} aria-describedby={described(`headers[${i}].value`)} /></td>
                <td><button type="button" class="link" onClick={() => setHeaders(headers.filter((_, j) => j !== i))}>Remove<span class="visually-hidden"> header {i + 1}</span></button></td>
              </tr>,
              (bad(`headers[${i}].name`) || bad(`headers[${i}].value`)) && (
                <tr key={`${h.key}-error`}><td colSpan={3}>{message(`headers[${i}].name`)}{message(`headers[${i}].value`)}</td></tr>
              ),
            ])}</tbody>
          </table></Scroll>
        )}
        <button type="button" name="headers" disabled={headers.length >= MAX_ACTION_HEADERS} aria-describedby={described('headers')}
          onClick={() => setHeaders([...headers, { key: ++headerRowID, name: '', value: '' }])}>Add header</button>
        {message('headers')}
        <p class="meta">Values are sent as written and shown to owners and admins only; agents see the names.</p>
      </fieldset>
      <label class="inline"><input type="checkbox" name="requiresCustomerToken" defaultChecked={action?.requiresCustomerToken ?? false} /> Send the customer's bearer token (from identify) as Authorization: Bearer</label>
      <div class="reply-actions">
        <button type="submit">{action ? 'Save action' : 'Create action'}</button>
        <button type="button" class="link" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}

// Scroll holds a table that may be wider than a phone: it scrolls sideways
// inside its card rather than widen the page. The region is labelled and
// focusable, so a keyboard can scroll it too.
function Scroll({ label, children }: { label: string; children: ComponentChildren }) {
  return <div class="scroll" role="region" aria-label={label} tabIndex={0}>{children}</div>;
}

// IdentitySecret keeps the secret hidden until asked for.
function IdentitySecret({ secret }: { secret: string }) {
  const [shown, setShown] = useState(false);
  return (
    <p>{shown ? <code>{secret}</code> : <span class="meta">Hidden.</span>}{' '}
      <button type="button" class="link" aria-expanded={shown} onClick={() => setShown(!shown)}>{shown ? 'Hide' : 'Show secret'}</button></p>
  );
}

function Markdown({ text }: { text: string }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => { if (el.current) el.current.replaceChildren(renderMarkdown(text, [], location.origin)); }, [text]);
  return <div class="md" ref={el} />;
}

function when(t: string | null) {
  if (!t) return '';
  const d = new Date(t);
  return d.toDateString() === new Date().toDateString()
    ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleDateString([], { month: 'short', day: 'numeric' });
}

render(<App />, document.getElementById('root')!);
