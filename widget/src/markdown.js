// A safe renderer for the small Markdown subset AI answers use: paragraphs,
// line breaks, headings, bulleted and numbered lists, fenced code, **bold**,
// *italic*, `code`, [links](https://…) and [1]-style citation markers. It
// builds DOM nodes and text nodes only; raw HTML in the input stays text.

import { h, link, safeUrl } from './dom.js';

const MAX_DEPTH = 4;

// renderMarkdown returns a DocumentFragment for text. sources are the
// answer's sources; a marker [n] links to sources[n-1]. base resolves
// relative URLs.
export function renderMarkdown(text, sources, base) {
  const frag = document.createDocumentFragment();
  const lines = String(text ?? '').replace(/\r\n?/g, '\n').split('\n');
  const ctx = { sources: Array.isArray(sources) ? sources : [], base };
  let para = [];
  let list = null;

  const flushPara = () => {
    if (para.length === 0) return;
    const p = h('p');
    para.forEach((line, i) => {
      if (i > 0) p.append(h('br'));
      inline(p, line, ctx, 0);
    });
    frag.append(p);
    para = [];
  };
  const flushList = () => {
    if (list) frag.append(list.el);
    list = null;
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*```/.test(line)) {
      flushPara();
      flushList();
      const code = [];
      for (i++; i < lines.length && !/^\s*```/.test(lines[i]); i++) code.push(lines[i]);
      frag.append(h('pre', null, h('code', { text: code.join('\n') })));
      continue;
    }
    if (line.trim() === '') {
      flushPara();
      flushList();
      continue;
    }
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      flushPara();
      flushList();
      const p = h('p', { class: 'hp-md-h' });
      inline(p, heading[1], ctx, 0);
      frag.append(p);
      continue;
    }
    const ordered = /^\s*(\d{1,9})[.)]\s+(.*)$/.exec(line);
    const bullet = /^\s*[-*+]\s+(.*)$/.exec(line);
    if (ordered || bullet) {
      flushPara();
      const kind = ordered ? 'ol' : 'ul';
      if (!list || list.kind !== kind) {
        flushList();
        list = { kind, el: h(kind) };
        if (ordered && ordered[1] !== '1') list.el.setAttribute('start', String(Number(ordered[1])));
      }
      const li = h('li');
      inline(li, ordered ? ordered[2] : bullet[1], ctx, 0);
      list.el.append(li);
      continue;
    }
    if (list && /^\s{2,}\S/.test(line)) {
      // A continuation line of the previous list item.
      const li = list.el.lastChild;
      li.append(' ');
      inline(li, line.trim(), ctx, 0);
      continue;
    }
    flushList();
    para.push(line.trim());
  }
  flushPara();
  flushList();
  return frag;
}

// INLINE matches, in order of precedence: code, bold, italic, a link, a
// citation marker.
const INLINE = /`([^`\n]+)`|\*\*(.+?)\*\*|\*([^*\s](?:[^*]*[^*\s])?)\*|\[([^\]\n]+)\]\(\s*([^)\s]+)\s*\)|\[(\d{1,3})\]/g;

function inline(parent, text, ctx, depth) {
  if (depth > MAX_DEPTH) {
    parent.append(text);
    return;
  }
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    if (m.index > last) parent.append(text.slice(last, m.index));
    last = m.index + m[0].length;
    const [, code, bold, em, linkText, href, cite] = m;
    if (code !== undefined) parent.append(h('code', { text: code }));
    else if (bold !== undefined) {
      const el = h('strong');
      inline(el, bold, ctx, depth + 1);
      parent.append(el);
    } else if (em !== undefined) {
      const el = h('em');
      inline(el, em, ctx, depth + 1);
      parent.append(el);
    } else if (linkText !== undefined) {
      const a = link(href, ctx.base, null);
      inline(a, linkText, ctx, depth + 1);
      parent.append(a);
    } else {
      parent.append(citation(Number(cite), ctx));
    }
  }
  if (last < text.length) parent.append(text.slice(last));
}

function citation(n, ctx) {
  const src = ctx.sources[n - 1];
  const label = `[${n}]`;
  if (!src) return label;
  const title = typeof src.title === 'string' ? src.title : '';
  const props = { class: 'hp-cite', 'aria-label': `Source ${n}: ${title}`, title };
  const el = safeUrl(src.url, ctx.base) ? link(src.url, ctx.base, props, label) : h('span', props, label);
  return h('sup', null, el);
}
