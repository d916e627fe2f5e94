// The widget's safe Markdown renderer (widget/src/markdown.js), shared so
// that a reply's preview looks as the customer will see it.
declare module '*/widget/src/markdown.js' {
  export function renderMarkdown(text: string, sources?: unknown[], base?: string): DocumentFragment;
}
