// The widget: a launcher and a panel in a shadow root, the home view
// (greeting, business hours, search and AI answer, with "Did this answer
// your question?" and "Talk to a person") and the conversation view (live
// messages and their files, an outbox with retries, typing indicators both
// ways, read state, the rating once it is resolved and "Email me a
// transcript"), over the Customer API. An away email's link
// (?helpium_resume=CODE) opens its conversation.

import { Client } from './api.js';
import { h, icon, ICONS, focusables, link, safeUrl } from './dom.js';
import { Live } from './live.js';
import { renderMarkdown } from './markdown.js';
import { sessionStore } from './store.js';
import CSS from './widget.css';

const COLOR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;
const SETTINGS_TTL_MS = 5 * 60 * 1000;
const AUTHOR_LABEL = { customer: 'You', agent: 'Support', bot: 'AI answer', system: '' };
const ENDED = ['resolved', 'closed']; // the statuses a rating is asked in
const RATINGS = ['Very bad', 'Bad', 'Okay', 'Good', 'Very good'];
const TYPING_MS = 2000; // the server lets one typing start through per 2 s
const RESUME_PARAM = 'helpium_resume'; // an away email's link carries its code in it

// errorInfo is the payload of the "error" event.
export function errorInfo(err) {
  return { code: err.code || 'internal', status: err.status || 0, message: err.message || String(err) };
}

export class Widget {
  constructor({ apiKey, baseUrl }, emit) {
    this.client = new Client(baseUrl, apiKey);
    this.base = baseUrl;
    this.store = sessionStore(apiKey);
    this.emit = emit;
    this.token = this.store.get('token') || null;
    this.settings = null;
    this.settingsAt = 0;
    this.ready = false;
    this.wantOpen = false;
    this.isOpen = false;
    this.view = 'home';
    this.seen = new Set();
    this.lastId = null; // the newest message shown, and its time
    this.lastAt = 0;
    this.readSent = null; // the message last reported read
    this.seenUpTo = null; // the newest message an agent has read
    this.status = null; // the conversation's status, as last fetched or streamed
    this.rated = false; // the conversation has the customer's rating
    this.noMail = false; // the server sends no email: no transcripts
    this.handed = new Set(); // answers handed over to this conversation
    this.typingOn = false; // a typing start was sent and no stop yet
    this.typingAt = 0;
    this.outbox = [];
    this.pumping = false;
    this.draft = []; // files chosen for the next message: { file, url } (url: an image's object URL)
    this.unread = 0;
    this.identity = null; // in memory only: it may hold the bearer token
    this.customer = null;
    this.live = null;
    this.timers = new Set();
    this.destroyed = false;
    this.onVisibility = () => {
      if (document.visibilityState === 'visible') this.maybeMarkRead();
    };
    this.build();
  }

  // start mounts the widget, loads the settings and resumes a stored
  // conversation. It resolves when the widget is ready.
  async start() {
    if (!document.body) await new Promise((r) => document.addEventListener('DOMContentLoaded', r, { once: true }));
    if (this.destroyed) return;
    document.body.append(this.host);
    document.addEventListener('visibilitychange', this.onVisibility);
    const settings = await this.loadSettings();
    if (this.destroyed) return;
    const code = takeParam(RESUME_PARAM);
    if (code != null) await this.resumeLink(code);
    if (this.destroyed) return;
    this.launcher.hidden = false;
    this.ready = true;
    if (this.token) this.resume();
    this.emit('ready', { settings });
    if (this.wantOpen) this.open();
  }

  // resumeLink opens the conversation of an away email's link: the new
  // widget token the server gives for the code replaces the stored one (as
  // a started conversation's does), and the panel opens on it. A code the
  // server refuses leaves a notice on the home view and the widget as it
  // was.
  async resumeLink(code) {
    try {
      const r = await this.client.resume(code);
      if (this.destroyed) return;
      this.useToken(r.widget_token);
      this.showView('conversation');
    } catch (err) {
      if (this.destroyed) return;
      this.linkNote.textContent =
        err.status === 404 || err.status === 422
          ? 'This link has expired. Start a new conversation or find your earlier one here.'
          : `We could not open the conversation from your link. ${actionErrorText(err)}`;
      this.linkNote.hidden = false;
      this.emit('error', errorInfo(err));
    }
    this.wantOpen = true;
  }

  async loadSettings() {
    for (let attempt = 1; ; attempt++) {
      try {
        const s = await this.client.settings();
        this.applySettings(s);
        return s;
      } catch (err) {
        const transient = err.status === 0 || err.status === 429 || err.status >= 500;
        if (!transient || attempt >= 4 || this.destroyed) throw err;
        await this.sleep(err.retryAfter != null ? err.retryAfter * 1000 : 1000 * 2 ** attempt);
      }
    }
  }

  destroy() {
    this.destroyed = true;
    if (this.live) this.live.stop();
    if (this.searchAbort) this.searchAbort.abort();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    document.removeEventListener('visibilitychange', this.onVisibility);
    for (const d of this.draft) if (d.url) URL.revokeObjectURL(d.url);
    this.host.remove();
    this.identity = null;
  }

  later(fn, ms) {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
    return t;
  }

  sleep(ms) {
    return new Promise((resolve) => this.later(resolve, ms));
  }

  // ---- DOM -------------------------------------------------------------

  build() {
    this.host = h('div', { 'data-helpium-widget': '' });
    const shadow = this.host.attachShadow({ mode: 'open' });
    this.shadow = shadow;
    if ('adoptedStyleSheets' in shadow && typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype) {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS); // constructed sheets are not blocked by a host page's style-src CSP
      shadow.adoptedStyleSheets = [sheet];
    } else {
      shadow.append(h('style', { text: CSS }));
    }

    this.badge = h('span', { class: 'badge', hidden: true, 'aria-hidden': 'true' });
    this.launcherIcon = h('span', { class: 'launcher-icon' }, icon(ICONS.chat)); // a class, not a style attribute: host pages' CSP may forbid those
    this.launcherLabel = h('span', { class: 'label' });
    this.launcher = h(
      'button',
      {
        class: 'launcher',
        type: 'button',
        hidden: true,
        'aria-haspopup': 'dialog',
        'aria-expanded': 'false',
        'aria-controls': 'hp-panel',
        'aria-label': 'Open support chat',
        onclick: () => this.toggle(),
      },
      this.launcherIcon,
      this.launcherLabel,
      this.badge,
    );

    this.title = h('h2', { id: 'hp-title', text: 'Help' });
    this.dot = h('span', { class: 'dot on', 'aria-hidden': 'true' });
    this.statusText = h('span', { text: '' });
    this.backBtn = h(
      'button',
      { class: 'icon-btn', type: 'button', hidden: true, 'aria-label': 'Back', onclick: () => this.showView('home') },
      icon(ICONS.back),
    );
    const closeBtn = h(
      'button',
      { class: 'icon-btn', type: 'button', 'aria-label': 'Close support chat', onclick: () => this.close() },
      icon(ICONS.close),
    );
    const head = h(
      'div',
      { class: 'head' },
      this.backBtn,
      h('div', { class: 'titles' }, this.title, h('div', { class: 'status' }, this.dot, this.statusText)),
      closeBtn,
    );

    this.bannerLive = h('span', { class: 'sr', 'aria-live': 'polite' });
    this.bannerCount = h('span', { 'aria-hidden': 'true' });
    this.banner = h('p', { class: 'banner', hidden: true }, this.bannerLive, this.bannerCount);

    this.linkNote = h('p', { class: 'notice warn', role: 'status', hidden: true });
    this.greeting = h('p', { class: 'greeting' });
    this.ooo = h('div', { class: 'notice', hidden: true });
    this.who = h('p', { class: 'who', hidden: true });
    this.query = h('input', {
      id: 'hp-q',
      type: 'search',
      name: 'q',
      autocomplete: 'off',
      maxlength: '500',
      placeholder: 'Search for answers',
    });
    const searchForm = (this.searchForm = h(
      'form',
      {
        class: 'search',
        role: 'search',
        onsubmit: (e) => {
          e.preventDefault();
          this.search(this.query.value);
        },
      },
      h('label', { class: 'sr', for: 'hp-q', text: 'Search the help center' }),
      this.query,
      h('button', { type: 'submit', 'aria-label': 'Search' }, icon(ICONS.search)),
    ));
    this.results = h('div', { class: 'results', 'aria-live': 'polite' });
    this.startBtn = h('button', {
      class: 'primary',
      type: 'button',
      text: 'Start a conversation',
      onclick: () => this.showView('conversation'),
    });
    // The link's notice after the out-of-office one, which stays the first .notice.
    this.home = h('div', { class: 'home' }, this.greeting, this.ooo, this.linkNote, this.who, searchForm, this.results, this.startBtn);

    this.convOoo = h('div', { class: 'notice', hidden: true });
    this.log = h('div', { class: 'log', role: 'log', 'aria-label': 'Conversation', 'aria-live': 'polite' });
    this.empty = h('p', { class: 'empty', text: 'Send us a message and we will reply here.' });
    this.typingEl = h('p', { class: 'typing', role: 'status', 'aria-live': 'polite' });
    this.seenEl = h('div', { class: 'seen', text: 'Seen' });
    // The rating prompt moves to the view shown (showView).
    this.csat = h('section', { class: 'csat', hidden: true, 'aria-labelledby': 'hp-csat-q' });
    this.home.insertBefore(this.csat, searchForm);
    this.conv = h('div', { class: 'conv', hidden: true }, this.convOoo, this.empty, this.log, this.typingEl);

    // Focusable, so that a keyboard can scroll a long conversation.
    this.body = h('div', { class: 'body', tabindex: '0' }, this.home, this.conv);

    this.input = h('textarea', {
      id: 'hp-input',
      rows: '1',
      maxlength: '20000',
      placeholder: 'Write a message…',
      oninput: () => {
        this.autosize();
        this.onTyping();
      },
      onblur: () => this.stopTyping(),
      onkeydown: (e) => {
        if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
          e.preventDefault();
          this.submitComposer();
        }
      },
      // Some input paths (e.g. synthesized key events) deliver Enter's
      // character separately from its keydown; keep it out of the box.
      onkeypress: (e) => {
        if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) e.preventDefault();
      },
      // A pasted image (a screenshot) becomes an attachment.
      onpaste: (e) => {
        const files = e.clipboardData ? [...e.clipboardData.files] : [];
        if (!files.length) return;
        if (!e.clipboardData.types.includes('text/plain')) e.preventDefault();
        this.addFiles(files);
      },
    });
    this.fileInput = h('input', {
      type: 'file',
      multiple: true,
      hidden: true,
      onchange: () => {
        this.addFiles([...this.fileInput.files]);
        this.fileInput.value = ''; // choosing the same file again is a change too
      },
    });
    this.chips = h('ul', { class: 'chips', 'aria-label': 'Files to send', hidden: true });
    this.composerError = h('p', { class: 'composer-error', role: 'alert', hidden: true });
    this.composer = h(
      'form',
      {
        class: 'composer',
        hidden: true,
        onsubmit: (e) => {
          e.preventDefault();
          this.submitComposer();
        },
      },
      this.chips,
      this.composerError,
      h(
        'div',
        { class: 'row' },
        h('button', { class: 'attach', type: 'button', 'aria-label': 'Attach files', onclick: () => this.fileInput.click() }, icon(ICONS.clip, 'line')),
        this.fileInput,
        h('label', { class: 'sr', for: 'hp-input', text: 'Message' }),
        this.input,
        h('button', { class: 'send', type: 'submit', 'aria-label': 'Send message' }, icon(ICONS.send)),
      ),
    );
    // "Email me a transcript", in the footer of the conversation view.
    this.mailBtn = h('button', { class: 'quiet', type: 'button', text: 'Email me a transcript', onclick: () => this.sendTranscript() });
    this.mailNote = h('span', { role: 'status', tabindex: '-1' });
    this.mail = h('span', { class: 'mail', hidden: true }, this.mailBtn, this.mailNote);
    this.dropHint = h('div', { class: 'drop', hidden: true, 'aria-hidden': 'true' }, icon(ICONS.clip, 'line'), 'Drop files to attach them');

    this.panel = h(
      'div',
      {
        class: 'panel',
        id: 'hp-panel',
        role: 'dialog',
        'aria-modal': 'true',
        'aria-labelledby': 'hp-title',
        hidden: true,
        onkeydown: (e) => this.onPanelKey(e),
        ondragenter: (e) => this.onDrag(e),
        ondragover: (e) => this.onDrag(e),
        ondragleave: (e) => {
          if (!e.relatedTarget || !this.panel.contains(e.relatedTarget)) this.dropHint.hidden = true;
        },
        ondrop: (e) => this.onDrop(e),
      },
      head,
      this.banner,
      this.body,
      this.composer,
      h('div', { class: 'foot' }, this.mail, h('span', { text: 'Powered by Helpium' })),
      this.dropHint,
    );
    this.root = h('div', { class: 'hp' }, this.panel, this.launcher);
    this.root.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.isOpen) {
        e.stopPropagation();
        this.close();
      }
    });
    shadow.append(this.root);
  }

  applySettings(s) {
    this.settings = s;
    this.settingsAt = Date.now();
    const c = (s && s.colors) || {};
    const color = (name, v) => {
      if (typeof v === 'string' && COLOR.test(v)) this.root.style.setProperty(name, v);
    };
    color('--hp-primary', c.primary);
    color('--hp-bg', c.background);
    color('--hp-text', c.text);
    if (typeof c.primary === 'string' && COLOR.test(c.primary)) this.root.style.setProperty('--hp-on-primary', onColor(c.primary));
    this.root.classList.toggle('left', s.position === 'bottom-left');
    this.root.setAttribute('lang', typeof s.locale === 'string' && s.locale ? s.locale : 'en');
    this.launcherLabel.textContent = s.launcher_text || '';
    this.labelLauncher();
    this.title.textContent = s.launcher_text || 'Help';
    this.greeting.textContent = s.greeting || 'Hi! How can we help?';
    const bh = s.business_hours || {};
    const open = bh.is_open !== false;
    this.dot.classList.toggle('on', open);
    let status = open ? 'We are online' : 'We are away right now';
    if (!open && bh.next_change_at) {
      const when = formatWhen(bh.next_change_at, s.locale);
      if (when) status = `We are away · back ${when}`;
    }
    this.statusText.textContent = status;
    const away = bh.out_of_office_message || 'We are away right now. Leave a message and we will get back to you.';
    for (const el of [this.ooo, this.convOoo]) {
      el.textContent = away;
      el.hidden = open;
    }
    this.updateStartLabel();
  }

  updateStartLabel() {
    this.startBtn.textContent = this.token ? 'Continue the conversation' : 'Start a conversation';
  }

  // ---- panel -----------------------------------------------------------

  open() {
    if (!this.ready) {
      this.wantOpen = true;
      return;
    }
    if (this.isOpen) return;
    this.isOpen = true;
    this.panel.hidden = false;
    this.launcher.setAttribute('aria-expanded', 'true');
    this.labelLauncher();
    this.launcherIcon.replaceChildren(icon(ICONS.close));
    this.focusView();
    this.maybeMarkRead();
    this.refresh(); // status and read state, which the stream did not carry while the widget polled
    if (Date.now() - this.settingsAt > SETTINGS_TTL_MS) {
      this.client.settings().then((s) => this.applySettings(s), () => {});
    }
    this.emit('open');
  }

  close() {
    this.wantOpen = false;
    if (!this.isOpen) return;
    const hadFocus = this.shadow.activeElement != null;
    this.isOpen = false;
    this.panel.hidden = true;
    this.linkNote.hidden = true;
    this.launcher.setAttribute('aria-expanded', 'false');
    this.launcherIcon.replaceChildren(icon(ICONS.chat));
    this.renderBadge();
    if (hadFocus) this.launcher.focus();
    this.emit('close');
  }

  toggle() {
    if (this.isOpen) this.close();
    else this.open();
  }

  // onPanelKey keeps Tab inside the open panel.
  onPanelKey(e) {
    if (e.key !== 'Tab') return;
    const items = focusables(this.panel);
    if (items.length === 0) return;
    const first = items[0];
    const last = items[items.length - 1];
    const active = this.shadow.activeElement;
    if (e.shiftKey && (active === first || !this.panel.contains(active))) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && (active === last || !this.panel.contains(active))) {
      e.preventDefault();
      first.focus();
    }
  }

  showView(view) {
    this.view = view;
    const conv = view === 'conversation';
    this.home.hidden = conv;
    this.conv.hidden = !conv;
    this.composer.hidden = !conv;
    this.backBtn.hidden = !conv;
    this.updateMail();
    if (conv) this.conv.append(this.csat);
    else this.home.insertBefore(this.csat, this.searchForm);
    this.updateStartLabel();
    if (this.isOpen) this.focusView();
    if (conv) {
      this.scrollToEnd();
      this.maybeMarkRead();
    }
  }

  focusView() {
    (this.view === 'conversation' ? this.input : this.query).focus();
  }

  scrollToEnd() {
    this.body.scrollTop = this.body.scrollHeight;
  }

  autosize() {
    const el = this.input;
    el.style.height = '';
    if (el.value && el.scrollHeight > el.clientHeight) el.style.height = `${Math.min(el.scrollHeight + 2, 140)}px`;
  }

  // ---- files chosen for the next message --------------------------------

  // onDrag lets files be dropped anywhere on the panel.
  onDrag(e) {
    if (!e.dataTransfer || ![...e.dataTransfer.types].includes('Files')) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    this.dropHint.hidden = false;
  }

  onDrop(e) {
    if (!e.dataTransfer || ![...e.dataTransfer.types].includes('Files')) return;
    e.preventDefault();
    this.dropHint.hidden = true;
    const files = [...e.dataTransfer.files];
    if (!files.length) return;
    if (this.view !== 'conversation') this.showView('conversation');
    this.addFiles(files);
  }

  addFiles(files) {
    this.draft.push(...files.map(draftOf));
    this.checkDraft();
  }

  removeFile(d) {
    const i = this.draft.indexOf(d);
    if (i < 0) return;
    this.draft.splice(i, 1);
    if (d.url) URL.revokeObjectURL(d.url);
    this.checkDraft();
    const next = this.chips.querySelectorAll('.chip-x')[Math.min(i, this.draft.length - 1)];
    (next || this.input).focus();
  }

  // takeDraft empties the chips and returns their files.
  takeDraft() {
    const files = this.draft.map((d) => d.file);
    for (const d of this.draft) if (d.url) URL.revokeObjectURL(d.url);
    this.draft = [];
    this.renderChips();
    return files;
  }

  // renderChips shows the chosen files: a thumbnail or an icon, the name,
  // the size and a remove button. bad marks the file the server refused.
  renderChips(bad = -1) {
    this.chips.replaceChildren(
      ...this.draft.map((d, i) =>
        h(
          'li',
          { class: i === bad ? 'chip bad' : 'chip' },
          fileLabel(d.file.name, d.file.size, d.url),
          h('button', { class: 'chip-x', type: 'button', 'aria-label': `Remove ${d.file.name}`, onclick: () => this.removeFile(d) }, icon(ICONS.close)),
        ),
      ),
    );
    this.chips.hidden = this.draft.length === 0;
  }

  // checkDraft refuses, before any upload, what the workspace's limits (in
  // the settings) would have the server refuse: a file too large, too many
  // files. It shows the refusal as the server's are shown, and reports
  // whether the draft may go.
  checkDraft() {
    const lim = (this.settings && this.settings.attachments) || {};
    const max = lim.max_file_bytes;
    const bad = max > 0 ? this.draft.findIndex((d) => d.file.size > max) : -1;
    const n = lim.max_files_per_message;
    let why = null;
    if (bad >= 0) why = `${this.draft[bad].file.name} is larger than the limit of ${formatSize(max)}.`;
    else if (n > 0 && this.draft.length > n) why = `A message may carry at most ${n} ${n === 1 ? 'file' : 'files'}.`;
    this.renderChips(bad);
    this.showComposerError(why);
    return !why;
  }

  showComposerError(text) {
    this.composerError.textContent = text || '';
    this.composerError.hidden = !text;
  }

  // ---- search ----------------------------------------------------------

  async search(raw) {
    const q = raw.trim();
    if (!q) return;
    if (this.searchAbort) this.searchAbort.abort();
    const ac = new AbortController();
    this.searchAbort = ac;
    const answerBox = h('section', { class: 'answer-box', 'aria-label': 'Answer' }, h('p', { class: 'muted', text: 'Looking for an answer…' }));
    const articleBox = h('section', { class: 'article-box', 'aria-label': 'Articles' });
    this.results.setAttribute('aria-busy', 'true');
    this.results.replaceChildren(answerBox, articleBox);
    const answer = this.client.answer(q, ac.signal, this.token, this.installationId()).then(
      (a) => !ac.signal.aborted && this.renderAnswer(answerBox, a),
      (err) => !ac.signal.aborted && this.renderAnswerError(answerBox, err),
    );
    const articles = this.client.search(q, ac.signal).then(
      (r) => !ac.signal.aborted && this.renderArticles(articleBox, r),
      (err) => !ac.signal.aborted && this.renderArticlesError(articleBox, err),
    );
    await Promise.all([answer, articles]);
    if (ac.signal.aborted) return;
    this.results.removeAttribute('aria-busy');
  }

  renderAnswer(box, a) {
    a = a || {};
    const sources = Array.isArray(a.sources) ? a.sources : [];
    const id = typeof a.answer_id === 'string' ? a.answer_id : null;
    if (!a.answered) {
      const err = h('p', { class: 'err', role: 'alert', hidden: true });
      box.replaceChildren(
        h('p', { class: 'muted', text: typeof a.answer === 'string' && a.answer.trim() ? a.answer : 'We could not find an answer to that. Start a conversation and we will help.' }),
        // Quieter than after a "No": the refusal already points to a person.
        id ? h('button', { class: 'quiet', type: 'button', text: 'Talk to a person', onclick: (e) => this.handOver(id, e.target, err) }) : null,
        err,
      );
      return;
    }
    const card = h('div', { class: 'answer' }, renderMarkdown(a.answer, sources, this.base));
    if (sources.length) {
      card.append(
        h(
          'ol',
          { class: 'sources', 'aria-label': 'Sources' },
          sources.map((s) => h('li', null, link(s.url, this.base, null, String(s.title || s.url || 'Article')))),
        ),
      );
    }
    box.replaceChildren(h('h3', { text: 'Answer' }), card, id ? this.voteEl(id) : null);
  }

  // voteEl asks "Did this answer your question?" under an answer. After a
  // "No" it offers a person.
  voteEl(id) {
    const err = h('p', { class: 'err', role: 'alert', hidden: true });
    const buttons = [true, false].map((helpful) =>
      h('button', { class: 'pill', type: 'button', text: helpful ? 'Yes' : 'No', onclick: () => vote(helpful) }),
    );
    const q = h('p', { id: `hp-vote-${id}`, text: 'Did this answer your question?' });
    const box = h('div', { class: 'vote' }, h('div', { class: 'row', role: 'group', 'aria-labelledby': q.id }, q, buttons), err);
    const vote = async (helpful) => {
      for (const b of buttons) b.disabled = true;
      showError(err, null);
      try {
        await this.client.rateAnswer(id, helpful);
      } catch (e) {
        for (const b of buttons) b.disabled = false;
        showError(err, actionErrorText(e));
        this.emit('error', errorInfo(e));
        return;
      }
      const thanks = h('p', { tabindex: '-1', text: 'Thanks for your feedback.' });
      const person = helpful
        ? null
        : h('button', { class: 'secondary', type: 'button', text: 'Talk to a person', onclick: (e) => this.handOver(id, e.target, err) });
      box.replaceChildren(thanks, person, err);
      (person || thanks).focus();
    };
    return box;
  }

  // handOver is "Talk to a person": the question and the answer go to the
  // open conversation, or a new one, which the widget then shows. A
  // resolved conversation is left alone (its token is not sent); asking
  // again for an answer handed over already just shows its conversation.
  async handOver(id, btn, err) {
    if (this.handed.has(id)) return this.showView('conversation');
    btn.disabled = true;
    showError(err, null);
    const token = this.token && !ENDED.includes(this.status) ? this.token : null;
    try {
      const r = await this.client.handOver(id, token, this.installationId());
      if (this.destroyed) return;
      this.adopt(r);
      this.handed.add(id);
      this.showView('conversation');
    } catch (e) {
      if (this.destroyed) return;
      showError(err, actionErrorText(e));
      this.emit('error', errorInfo(e));
    }
    btn.disabled = false;
  }

  renderAnswerError(box, err) {
    if (err.name === 'AbortError') return;
    if (err.status === 404) {
      box.replaceChildren(); // answers are not offered by this server
      return;
    }
    box.replaceChildren(h('p', { class: 'muted', text: searchErrorText(err, 'Answers are unavailable right now.') }));
  }

  renderArticles(box, r) {
    const results = (r && Array.isArray(r.results) && r.results) || [];
    if (results.length === 0) {
      box.replaceChildren(h('h3', { text: 'Articles' }), h('p', { class: 'muted', text: 'No articles found.' }));
      return;
    }
    box.replaceChildren(
      h('h3', { text: 'Articles' }),
      h(
        'ul',
        { class: 'articles' },
        results.map((a) =>
          h(
            'li',
            null,
            link(a.url, this.base, { class: 'title' }, String(a.title || 'Article')),
            a.snippet ? h('p', { class: 'snippet', text: String(a.snippet) }) : null,
          ),
        ),
      ),
    );
  }

  renderArticlesError(box, err) {
    if (err.name === 'AbortError') return;
    box.replaceChildren(
      h('p', { class: 'muted', text: err.status === 404 ? 'Search is not available.' : searchErrorText(err, 'Search is unavailable right now.') }),
    );
  }

  // ---- conversation ----------------------------------------------------

  setToken(token) {
    this.token = token;
    this.store.set('token', token);
    this.updateStartLabel();
    this.updateMail();
  }

  // useToken makes token the conversation's, as a start, a handover or a
  // resume link returned it, and sends the identity with it.
  useToken(token) {
    if (token === this.token) return;
    if (this.token) this.forget();
    this.setToken(token);
    if (this.identity) this.sendIdentify().catch(() => {});
  }

  // forget drops a conversation the server no longer knows.
  forget() {
    if (this.live) this.live.stop();
    this.live = null;
    this.token = null;
    this.store.set('token', null);
    this.store.set('lastRead', null);
    this.seen.clear();
    this.lastId = this.readSent = this.seenUpTo = this.status = null;
    this.lastAt = 0;
    this.rated = false;
    this.mailNote.textContent = '';
    this.handed.clear();
    this.hideRating();
    this.typingOn = false;
    this.showTyping(null);
    this.log.replaceChildren(...this.outbox.map((i) => i.el));
    this.setUnread(0);
    this.updateEmpty();
    this.updateStartLabel();
    this.updateMail();
  }

  // resume loads the stored conversation's history and read state, and
  // goes live.
  async resume() {
    const token = this.token;
    const conv = this.client.conversation(token).catch(() => null);
    const history = [];
    let cursor = null;
    try {
      for (;;) {
        const page = await this.client.messages(token, cursor);
        history.push(...(page.messages || []));
        if (page.next_cursor) cursor = page.next_cursor;
        if (!page.has_more) break;
      }
    } catch (err) {
      if (this.destroyed || token !== this.token) return;
      if (err.code === 'not_found') {
        this.forget();
        return;
      }
      this.emit('error', errorInfo(err));
    }
    if (this.destroyed || token !== this.token) return;
    this.addMessages(history, false);
    const c = await conv;
    if (this.destroyed || token !== this.token) return;
    // The badge counts what the server counts, unless this browser has
    // shown more than the server heard of: a report lost as the page
    // closed, sent again.
    const lastRead = this.store.get('lastRead');
    const at = lastRead ? history.findIndex((m) => m.id === lastRead) : -1;
    const local = at >= 0 ? history.slice(at + 1).filter((m) => m.author !== 'customer').length : null;
    const server = c && c.read ? c.read.unread_count : null;
    if (local != null && server != null && local < server) this.client.read(token, lastRead).catch(() => {});
    const n = Math.min(local ?? Infinity, server ?? Infinity);
    this.setUnread(Number.isFinite(n) ? n : 0);
    this.applyConversation(c);
    this.maybeMarkRead();
    this.startLive(cursor);
  }

  // adopt shows the conversation a start or a handover returned
  // ({conversation, message, widget_token}) and goes live on it; another
  // conversation than the one shown replaces it.
  adopt(r) {
    this.useToken(r.widget_token);
    const fresh = !this.seen.has(r.message.id);
    this.addMessages([r.message], false);
    if (fresh) this.emit('message', publicMessage(r.message));
    this.applyConversation(r.conversation);
    if (!this.live) this.startLive(null); // from the start: a handover's answer and note follow
  }

  // refresh fetches the conversation again: its status (is a rating due?)
  // and read state, which the event stream carries only while connected.
  refresh() {
    const token = this.token;
    if (token) this.client.conversation(token).then((c) => token === this.token && this.applyConversation(c), () => {});
  }

  // applyConversation shows the read state and status of a conversation
  // from the server.
  applyConversation(c) {
    if (!c) return;
    if (c.read && c.read.seen_up_to) this.markSeen(c.read.seen_up_to);
    if ('csat' in c) this.rated = c.csat != null;
    this.applyStatus(c.status);
  }

  // applyStatus shows the conversation's status, fetched or from a status
  // event, and asks for a rating when it is resolved or closed and not
  // rated yet; reopened, the question (or the thanks) goes.
  applyStatus(status) {
    if (typeof status !== 'string') return;
    this.status = status;
    this.conv.dataset.status = status;
    const ended = ENDED.includes(status);
    // Not while a message goes out: it reopens the conversation.
    if (ended && !this.rated && !this.outbox.length) this.askRating();
    else if (!ended || !this.csat.classList.contains('done')) this.hideRating();
  }

  // askRating shows "How would you rate this conversation?": five buttons
  // that send the rating, with the comment written above them if any.
  askRating() {
    const box = this.csat;
    if (!box.hidden || box.classList.contains('done')) return;
    const token = this.token;
    const err = h('p', { class: 'err', role: 'alert', hidden: true });
    const comment = h('textarea', { id: 'hp-csat-c', rows: '2', maxlength: '1000', placeholder: 'Add a comment (optional)' });
    const buttons = RATINGS.map((label, i) =>
      h('button', { type: 'button', text: String(i + 1), 'aria-label': `${i + 1} – ${label}`, onclick: () => rate(i + 1) }),
    );
    const rate = async (n) => {
      for (const b of buttons) b.disabled = true;
      showError(err, null);
      try {
        await this.client.rate(token, n, comment.value.trim());
      } catch (e) {
        if (token !== this.token) return;
        if (e.status === 409) return this.hideRating(); // rated already, or open again
        for (const b of buttons) b.disabled = false;
        showError(err, actionErrorText(e));
        this.emit('error', errorInfo(e));
        return;
      }
      if (token !== this.token) return;
      this.rated = true;
      const thanks = h('p', { class: 'thanks', tabindex: '-1', text: 'Thanks for rating.' });
      box.classList.add('done');
      box.replaceChildren(thanks);
      thanks.focus();
    };
    box.replaceChildren(
      h('p', { id: 'hp-csat-q', class: 'q', text: 'How would you rate this conversation?' }),
      h('label', { class: 'sr', for: 'hp-csat-c', text: 'Comment (optional)' }),
      comment,
      h('div', { class: 'scale', role: 'group', 'aria-labelledby': 'hp-csat-q' }, buttons),
      h('div', { class: 'ends', 'aria-hidden': 'true' }, h('span', { text: RATINGS[0] }), h('span', { text: RATINGS[4] })),
      err,
    );
    box.hidden = false;
    if (this.view === 'conversation') this.scrollToEnd();
  }

  hideRating() {
    this.csat.hidden = true;
    this.csat.classList.remove('done');
    this.csat.replaceChildren();
  }

  startLive(cursor) {
    if (this.live) this.live.stop();
    const token = this.token;
    this.live = new Live(this.client, token, cursor, {
      onMessages: (msgs) => this.addMessages(msgs, true),
      onGone: () => token === this.token && this.forget(),
      onError: (err) => this.emit('error', errorInfo(err)),
      onActivity: (a) => {
        if (token !== this.token) return;
        if (a.kind === 'typing') this.showTyping(a);
        else if (a.kind === 'read') this.markSeen(a.last_read_message_id);
        else if (a.kind === 'status') this.applyStatus(a.status);
      },
      onReconnect: () => token === this.token && this.refresh(),
    });
    this.live.start();
  }

  // addMessages shows server messages not shown yet, before any message
  // still in the outbox. live says they arrived now (events, unread).
  addMessages(msgs, live) {
    for (const m of msgs) {
      if (!m || typeof m.id !== 'string' || this.seen.has(m.id)) continue;
      this.seen.add(m.id);
      const pending =
        m.author === 'customer' && m.client_message_id ? this.outbox.find((i) => i.clientId === m.client_message_id) : null;
      if (pending) pending.el.remove();
      const pendingEl = this.outbox.find((i) => i.el.isConnected);
      this.log.insertBefore(this.messageEl(m), pendingEl ? pendingEl.el : null);
      this.shown(m);
      if (!live) continue;
      this.emit('message', publicMessage(m));
      if (m.author === 'agent') this.showTyping(null);
      if (m.author !== 'customer' && !this.reading()) this.setUnread(this.unread + 1);
    }
    this.updateEmpty();
    this.renderSeen();
    this.maybeMarkRead();
    if (this.view === 'conversation') this.scrollToEnd();
  }

  messageEl(m) {
    const label = AUTHOR_LABEL[m.author] ?? '';
    const files = Array.isArray(m.attachments) ? m.attachments : [];
    const cls = m.author === 'customer' ? 'msg mine' : m.author === 'agent' ? 'msg' : `msg ${m.author}`;
    const time = formatTime(m.created_at, this.settings && this.settings.locale);
    return h(
      'div',
      { class: cls, 'data-id': m.id, 'data-author': m.author },
      label ? h('span', { class: 'sr', text: `${label}: ` }) : null,
      // Agents and the AI write Markdown (the safe subset AI answers use;
      // a handed-over answer's citations lost their sources); what a
      // customer typed and system notes stay plain text.
      !m.body && files.length
        ? null
        : m.author === 'agent' || m.author === 'bot'
          ? h('div', { class: 'bubble md' }, renderMarkdown(m.author === 'bot' ? String(m.body).replace(/ ?\[\d{1,3}\]/g, '') : m.body, [], this.base))
          : h('div', { class: 'bubble', text: m.body }),
      files.length ? this.filesEl(files) : null,
      h('div', { class: 'meta', 'aria-hidden': 'true', text: [label, time].filter(Boolean).join(' · ') }),
    );
  }

  // filesEl lists a message's files: images as thumbnails that open the
  // full image in a new tab, other files as download links. The server's
  // urls are signed paths on it, resolved against the API's base.
  filesEl(files) {
    return h(
      'ul',
      { class: 'files', 'aria-label': 'Attachments' },
      files.map((a) => {
        const href = safeUrl(a.url, this.base);
        const name = String(a.filename || 'file');
        const size = formatSize(a.size);
        const open = { href, target: '_blank', rel: 'noopener noreferrer' };
        return h(
          'li',
          null,
          !href
            ? h('span', { class: 'file' }, fileLabel(name, a.size))
            : a.kind === 'image'
              ? h('a', { ...open, class: 'thumb', title: `${name} (${size})` }, h('img', { src: href, alt: `${name}, ${size}, opens in a new tab`, loading: 'lazy' }))
              : h('a', { ...open, class: 'file', download: name }, fileLabel(name, a.size)),
        );
      }),
    );
  }

  updateEmpty() {
    this.empty.hidden = this.log.childElementCount > 0;
  }

  // shown notes m as the newest message shown when it is.
  shown(m) {
    const at = Date.parse(m.created_at) || 0;
    if (this.lastId && at < this.lastAt) return;
    this.lastId = m.id;
    this.lastAt = at;
  }

  reading() {
    return this.isOpen && this.view === 'conversation' && document.visibilityState === 'visible';
  }

  // maybeMarkRead clears the badge while the customer is reading, and
  // reports the newest message shown when it changed since the last
  // report. A failed report is tried again on the next occasion.
  maybeMarkRead() {
    if (!this.reading()) return;
    this.setUnread(0);
    const id = this.lastId;
    const token = this.token;
    if (!token || !id || id === this.readSent) return;
    this.readSent = id;
    this.store.set('lastRead', id);
    this.client.read(token, id).then(
      (c) => token === this.token && this.applyConversation(c),
      () => {
        if (this.readSent === id) this.readSent = null;
      },
    );
  }

  // markSeen records that an agent has read up to message id. It never
  // moves back: an id earlier in the list than the one recorded is
  // ignored; one not shown yet waits for its message.
  markSeen(id) {
    if (typeof id !== 'string' || id === this.seenUpTo) return;
    const ids = this.shownIds();
    const at = ids.indexOf(id);
    if (this.seenUpTo && at >= 0 && at < ids.indexOf(this.seenUpTo)) return;
    this.seenUpTo = id;
    this.renderSeen();
  }

  shownIds() {
    return [...this.log.children].map((e) => e.getAttribute('data-id'));
  }

  // renderSeen puts "Seen" under the customer's newest message at or
  // before the newest message an agent has read.
  renderSeen() {
    const msgs = [...this.log.children];
    let i = this.seenUpTo ? this.shownIds().indexOf(this.seenUpTo) : -1;
    while (i >= 0 && msgs[i].getAttribute('data-author') !== 'customer') i--;
    if (i < 0) this.seenEl.remove();
    else if (this.seenEl.parentNode !== msgs[i]) msgs[i].append(this.seenEl);
  }

  // showTyping shows "Agent is typing…" for a typing start, until a stop,
  // the agent's next message or its expires_at, whichever comes first;
  // null hides it.
  showTyping(a) {
    clearTimeout(this.typingTimer);
    this.timers.delete(this.typingTimer);
    // Timed from the server's own clock: expires_at less at.
    const ttl = a && a.typing === true ? (Date.parse(a.expires_at) - Date.parse(a.at) || 6000) : 0;
    const b = this.body;
    const atEnd = b.scrollHeight - b.scrollTop - b.clientHeight < 40; // not when reading back
    this.typingEl.textContent = ttl > 0 ? 'Agent is typing…' : '';
    if (ttl <= 0) return;
    this.typingTimer = this.later(() => this.showTyping(null), Math.min(ttl, 60000));
    if (atEnd) this.scrollToEnd();
  }

  // onTyping tells the team the customer is typing: a start at most every
  // TYPING_MS while they go on, a stop when the box is emptied.
  onTyping() {
    if (!this.input.value.trim()) return this.stopTyping();
    const now = Date.now();
    if (!this.token || now - this.typingAt < TYPING_MS) return;
    this.typingAt = now;
    this.typingOn = true;
    this.sendTyping(true);
  }

  // stopTyping sends a stop after a start (on send, blur or an empty box).
  stopTyping() {
    if (!this.typingOn) return;
    this.typingOn = false;
    this.sendTyping(false);
  }

  // sendTyping never reports a failure: typing is a courtesy.
  sendTyping(typing) {
    if (this.token) this.client.typing(this.token, typing).catch(() => {});
  }

  setUnread(n) {
    if (n === this.unread) return;
    this.unread = n;
    this.renderBadge();
    this.emit('unread', { count: n });
  }

  renderBadge() {
    const n = this.unread;
    this.badge.textContent = n > 99 ? '99+' : String(n);
    this.badge.hidden = n === 0;
    if (!this.isOpen) this.labelLauncher();
  }

  // labelLauncher names the launcher for assistive technology, starting
  // with its visible text, so that a speech user can say what they see.
  labelLauncher() {
    const n = this.unread;
    let name = this.isOpen ? 'close support chat' : 'open support chat';
    if (!this.isOpen && n) name += `, ${n} unread ${n === 1 ? 'message' : 'messages'}`;
    const text = this.launcherLabel.textContent;
    this.launcher.setAttribute('aria-label', text ? `${text}: ${name}` : name.charAt(0).toUpperCase() + name.slice(1));
  }

  submitComposer() {
    const body = this.input.value.trim();
    if (!body && !this.draft.length) return;
    if (this.draft.length && !this.checkDraft()) return;
    this.stopTyping();
    this.input.value = '';
    this.autosize();
    this.showComposerError(null);
    this.send(body, this.takeDraft());
  }

  // send queues a message; the outbox delivers in order, one at a time.
  // A retry sends the same files under the same client message id.
  send(body, files = []) {
    // Writing again reopens a resolved conversation: no rating then.
    if (ENDED.includes(this.status)) this.status = 'open';
    this.hideRating();
    const item = { clientId: newId(), body, files, state: 'queued', el: null };
    item.el = this.pendingEl(item);
    this.outbox.push(item);
    this.log.append(item.el);
    this.updateEmpty();
    this.scrollToEnd();
    this.pump();
  }

  pendingEl(item) {
    item.meta = h('div', { class: 'meta' });
    const el = h(
      'div',
      { class: 'msg mine pending', 'data-client-id': item.clientId },
      item.body ? h('div', { class: 'bubble', text: item.body }) : null,
      item.files.length
        ? h(
            'ul',
            { class: 'files', 'aria-label': 'Attachments' },
            item.files.map((f) => h('li', null, h('span', { class: 'file' }, fileLabel(f.name, f.size)))),
          )
        : null,
      item.meta,
    );
    this.setItemState(item, item.state, null, el);
    return el;
  }

  setItemState(item, state, err, el = item.el) {
    item.state = state;
    el.classList.toggle('failed', state === 'failed');
    el.setAttribute('data-state', state);
    if (state === 'failed') {
      const retry = h('button', {
        class: 'linkish',
        type: 'button',
        text: 'Retry',
        'aria-label': 'Retry sending this message',
        onclick: () => {
          this.setItemState(item, 'queued');
          this.pump();
        },
      });
      const why = err && err.status === 0 ? 'Not sent: no connection.' : `Not sent: ${(err && err.message) || 'something went wrong'}`;
      item.meta.replaceChildren(h('span', { role: 'alert', text: `${why} ` }), retry);
    } else if (state === 'sending' && item.files.length) {
      // The bar's value changes without a word, so the log's live region
      // does not read every step aloud.
      item.bar = h('progress', { max: '100', value: '0', 'aria-label': item.files.length === 1 ? 'Uploading the file' : `Uploading ${item.files.length} files` });
      item.meta.replaceChildren(h('span', { text: 'Uploading…' }), item.bar);
    } else {
      item.meta.textContent = state === 'waiting' ? 'Waiting to send…' : 'Sending…';
    }
  }

  // returnToComposer puts a message whose files the server refused back in
  // the composer, with the server's reason, so the customer can remove the
  // file and send again; retrying as it is would only be refused again.
  returnToComposer(item, err) {
    item.el.remove();
    this.draft = [...item.files.map(draftOf), ...this.draft];
    if (item.body) this.input.value = this.input.value.trim() ? `${item.body}\n${this.input.value}` : item.body;
    this.autosize();
    const m = /^files\[(\d+)\]$/.exec(err.field || '');
    this.renderChips(m ? Number(m[1]) : -1);
    this.showComposerError(fileErrorText(err));
    this.updateEmpty();
  }

  async pump() {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.destroyed) {
        const item = this.outbox[0];
        if (!item || item.state === 'failed') break;
        this.setItemState(item, 'sending');
        try {
          await this.deliver(item);
          this.outbox.shift();
        } catch (err) {
          if (this.destroyed) return;
          if (err.status === 429) {
            this.setItemState(item, 'waiting');
            this.emit('error', errorInfo(err));
            await this.rateLimited(err.retryAfter);
            continue;
          }
          if (item.files.length && (err.status === 413 || (err.status === 422 && /^files/.test(err.field || '')))) {
            this.outbox.shift();
            this.returnToComposer(item, err);
            this.emit('error', errorInfo(err));
            continue;
          }
          if (err.code === 'not_found' && this.token) this.forget();
          this.setItemState(item, 'failed', err);
          this.emit('error', errorInfo(err));
          break;
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  // installationId returns this browser's random id for the workspace,
  // made once and kept beside the token: it binds a retried conversation
  // start to this browser.
  installationId() {
    let id = this.store.get('installation');
    if (!id) {
      id = newId();
      this.store.set('installation', id);
    }
    return id;
  }

  async deliver(item) {
    const progress = (f) => {
      if (item.bar) item.bar.value = Math.round(f * 100);
    };
    if (!this.token) {
      const r = await this.client.createConversation(item.body, item.clientId, this.installationId(), item.files, progress);
      if (this.destroyed) return;
      item.el.remove();
      this.adopt(r);
      return;
    }
    const m = await this.client.sendMessage(this.token, item.body, item.clientId, item.files, progress);
    if (this.destroyed) return;
    if (this.seen.has(m.id)) {
      item.el.remove();
      return;
    }
    this.seen.add(m.id);
    const el = this.messageEl(m);
    if (item.el.isConnected) item.el.replaceWith(el);
    else this.log.insertBefore(el, (this.outbox.find((i) => i !== item && i.el.isConnected) || {}).el || null);
    this.shown(m);
    this.renderSeen();
    this.maybeMarkRead();
    this.emit('message', publicMessage(m));
  }

  // rateLimited shows the 429 banner, counts down Retry-After, and resolves
  // when it is time to try again.
  rateLimited(seconds) {
    let left = Math.max(1, Math.min(Number.isFinite(seconds) ? seconds : 5, 600));
    // Screen readers hear the sentence once; the visible countdown is silent.
    this.bannerLive.textContent = `You are sending messages too quickly. Your message will be sent automatically in ${left} seconds.`;
    this.banner.hidden = false;
    return new Promise((resolve) => {
      const tick = () => {
        if (this.destroyed) return resolve();
        if (left <= 0) {
          this.banner.hidden = true;
          this.bannerLive.textContent = '';
          return resolve();
        }
        this.bannerCount.replaceChildren(
          h('strong', { text: 'You are sending messages too quickly.' }),
          ` Your message will be sent automatically in ${left} s.`,
        );
        left--;
        this.later(tick, 1000);
      };
      tick();
    });
  }

  // ---- transcript ------------------------------------------------------

  updateMail() {
    this.mail.hidden = this.view !== 'conversation' || !this.token || this.noMail;
  }

  // sendTranscript emails the conversation to the customer identified on
  // it. Only the server knows whether one is (an identify on an earlier
  // visit counts too), so the action shows with every conversation and a
  // refusal naming email asks for the address. A server that sends no
  // email (503) loses the action; after a 429 it waits for Retry-After.
  async sendTranscript() {
    const token = this.token;
    const btn = this.mailBtn;
    btn.disabled = true;
    this.mailNote.textContent = '';
    let text = "We've sent the transcript to your email.";
    let wait = 0;
    try {
      await this.client.transcript(token);
    } catch (err) {
      if (err.status === 503) this.noMail = true;
      if (err.status === 429) wait = err.retryAfter || 60;
      text =
        err.field === 'email'
          ? 'Tell us your email first.'
          : wait
            ? `Too many transcripts for now. Try again in ${wait < 90 ? `${wait} seconds` : `${Math.ceil(wait / 60)} minutes`}.`
            : actionErrorText(err);
      this.emit('error', errorInfo(err));
    }
    this.later(() => (btn.disabled = false), Math.min(wait, 3600) * 1000);
    if (this.destroyed || token !== this.token) return;
    const focused = !this.shadow.activeElement || this.shadow.activeElement === btn; // a disabled button loses the focus
    this.updateMail();
    if (!this.noMail) this.mailNote.textContent = text;
    if (this.isOpen && focused) (this.noMail ? this.input : this.mailNote).focus();
  }

  // ---- identity --------------------------------------------------------

  // identify remembers who the customer is (in memory only) and sends it
  // with the conversation's widget token. Without a conversation yet there
  // is nothing to link, so it resolves to null and the identity goes out
  // when the customer starts one.
  async identify(identity) {
    this.identity = { ...identity };
    if (!this.token) return null;
    return this.sendIdentify();
  }

  async sendIdentify() {
    try {
      const r = await this.client.identify(this.identity, this.token);
      const c = (r && (r.customer || r)) || {};
      this.customer = { id: c.id, email: c.email, name: c.name, verified: !!c.verified };
      const shown = this.customer.name || this.customer.email;
      this.who.textContent = shown ? `Signed in as ${shown}${this.customer.verified ? ' (verified)' : ''}` : '';
      this.who.hidden = !shown;
      return { ...this.customer };
    } catch (err) {
      this.emit('error', errorInfo(err));
      throw err;
    }
  }
}

// takeParam returns the value of the page address's query parameter name,
// or null, and removes it from the address (keeping the rest as it is), so
// that a reload or a shared link does not use it again.
function takeParam(name) {
  const value = new URLSearchParams(window.location.search).get(name);
  if (value == null) return null;
  const { pathname, search, hash } = window.location;
  const rest = search
    .slice(1)
    .split('&')
    .filter((p) => p && p.split('=')[0] !== name);
  try {
    window.history.replaceState(window.history.state, '', pathname + (rest.length ? `?${rest.join('&')}` : '') + hash);
  } catch {
    // a sandboxed frame may refuse; the code is used all the same
  }
  return value;
}

// publicMessage is what "message" listeners receive.
function publicMessage(m) {
  const files = Array.isArray(m.attachments) ? m.attachments : [];
  return {
    id: m.id,
    conversation_id: m.conversation_id,
    author: m.author,
    body: m.body,
    created_at: m.created_at,
    answer_id: m.answer_id ?? null,
    attachments: files.map((a) => ({ id: a.id, filename: a.filename, content_type: a.content_type, kind: a.kind, size: a.size, url: a.url })),
  };
}

// formatSize writes a file size for people: 512 B, 14 KB, 2.5 MB.
function formatSize(n) {
  if (!Number.isFinite(n) || n < 0) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;
}

// fileLabel shows a file as a thumbnail (from thumb, an object URL) or an
// icon, then its name and size.
function fileLabel(name, size, thumb) {
  return [
    thumb ? h('img', { src: thumb, alt: '', onerror: (e) => e.target.replaceWith(icon(ICONS.file, 'line')) }) : icon(ICONS.file, 'line'),
    h('span', { class: 'name', text: name }),
    h('span', { class: 'size', text: formatSize(size) }),
  ];
}

// draftOf is a chosen file with, for an image the browser can show, an
// object URL for its thumbnail (revoked when the chip goes).
function draftOf(file) {
  const image = /^image\/(png|jpeg|gif|webp|bmp)$/.test(file.type) && window.URL && URL.createObjectURL;
  return { file, url: image ? URL.createObjectURL(file) : null };
}

// fileErrorText is the server's refusal of files. One naming a file starts
// with the form field ("files[0] (invoice.exe) is not…"), which means
// nothing to a customer: the name alone reads better.
function fileErrorText(err) {
  const msg = String(err.message || 'The files could not be sent.');
  const named = msg.replace(/^files\[\d+\] \((.*)\)(?= is |: )/, '$1');
  return named !== msg ? named : msg.charAt(0).toUpperCase() + msg.slice(1);
}

// actionErrorText is what a failed vote, handover or rating says.
function actionErrorText(err) {
  if (err.status === 0) return 'Could not reach the server. Check your connection.';
  if (err.status === 429) return `Too many requests. Try again in ${err.retryAfter || 5} seconds.`;
  return err.message || 'Something went wrong. Please try again.';
}

function showError(el, text) {
  el.textContent = text || '';
  el.hidden = !text;
}

function searchErrorText(err, fallback) {
  if (err.status === 429) return `Too many searches. Try again in ${err.retryAfter || 5} seconds.`;
  if (err.status === 0) return 'Could not reach the server. Check your connection.';
  if (err.status === 422) return err.message;
  return fallback;
}

// onColor returns black or white, whichever contrasts more with hex.
function onColor(hex) {
  let s = hex.slice(1);
  if (s.length === 3) s = [...s].map((c) => c + c).join('');
  const lin = (i) => {
    const v = parseInt(s.slice(i, i + 2), 16) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const L = 0.2126 * lin(0) + 0.7152 * lin(2) + 0.0722 * lin(4);
  return (L + 0.05) / 0.05 > 1.05 / (L + 0.05) ? '#0f172a' : '#ffffff';
}

function formatWhen(iso, locale) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  try {
    return new Intl.DateTimeFormat(locale || undefined, { weekday: 'short', hour: 'numeric', minute: '2-digit' }).format(d);
  } catch {
    return d.toLocaleString();
  }
}

function formatTime(iso, locale) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  try {
    return new Intl.DateTimeFormat(locale || undefined, { hour: 'numeric', minute: '2-digit' }).format(d);
  } catch {
    return '';
  }
}

function newId() {
  if (window.crypto && typeof window.crypto.randomUUID === 'function') return window.crypto.randomUUID();
  const b = new Uint8Array(16);
  window.crypto.getRandomValues(b);
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}
