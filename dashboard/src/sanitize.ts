import DOMPurify from 'dompurify';

/**
 * Mail HTML, sanitized again in the browser. The server already cleaned it
 * (functions/core/sanitize-html.ts); this is the second lock, so a bug or an
 * old stored message can never run script in an agent's session.
 *
 * - Only formatting tags survive; no script, style, form, frame, SVG or MathML.
 * - Links open in a new tab with no referrer, and only http(s) and mailto.
 * - Images load nothing until the agent asks: remote sources (kept by the
 *   server as data-remote-src, or any http(s) src that slipped through) are
 *   counted and held back; `showImages` lets http(s) ones load.
 * - Inline images (cid:) show from download links when the caller has them.
 *
 * Written without DOM type names, so the unit tests' Node typecheck reads it too.
 */
export interface SanitizeOptions {
  showImages: boolean;
  /** Content-ID (without <>) → URL for the mail's inline images. */
  inline?: Record<string, string>;
}

export interface SanitizedMail {
  html: string;
  /** Remote images not loaded (0 when showImages is on). */
  blockedImages: number;
  /** Remote images in the mail, loaded or not. */
  remoteImages: number;
}

const ALLOWED_TAGS = [
  'a', 'abbr', 'b', 'blockquote', 'br', 'caption', 'cite', 'code', 'col', 'colgroup', 'dd', 'del', 'div', 'dl', 'dt',
  'em', 'font', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'i', 'img', 'ins', 'li', 'mark', 'ol', 'p', 'pre', 'q', 's',
  'small', 'span', 'strike', 'strong', 'sub', 'sup', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'u', 'ul',
];
const ALLOWED_ATTR = ['href', 'title', 'src', 'alt', 'width', 'height', 'data-remote-src', 'colspan', 'rowspan', 'align', 'valign', 'dir', 'lang'];

const REMOTE = /^(?:https?:)?\/\//i;
const HTTP = /^https?:\/\//i;
const SAFE_LINK = /^(?:https?:\/\/|mailto:)/i;
const SAFE_DATA_IMAGE = /^data:image\/(?:png|jpeg|gif|webp);base64,/i;

let pass: { options: SanitizeOptions; blocked: number; remote: number } | undefined;

let purifier: typeof DOMPurify | undefined;
function instance(): typeof DOMPurify {
  if (purifier) return purifier;
  const p = DOMPurify;
  // Hooks run synchronously inside sanitize(), so `pass` is this call's state.
  p.addHook('afterSanitizeAttributes', (node) => {
    const el = node as unknown as { tagName?: string; getAttribute(n: string): string | null; setAttribute(n: string, v: string): void; removeAttribute(n: string): void };
    if (!pass || typeof el.getAttribute !== 'function') return;
    const tag = (el.tagName ?? '').toLowerCase();
    if (tag === 'a') {
      const href = (el.getAttribute('href') ?? '').trim();
      if (href && !SAFE_LINK.test(href)) el.removeAttribute('href');
      if (el.getAttribute('href')) {
        el.setAttribute('target', '_blank');
        el.setAttribute('rel', 'noopener noreferrer nofollow');
      }
      return;
    }
    if (tag !== 'img') return;
    const src = (el.getAttribute('src') ?? '').trim();
    // Only the server's own marker counts; a remote src found now is held back the same way.
    let remote = (el.getAttribute('data-remote-src') ?? '').trim();
    if (REMOTE.test(src)) remote = src.startsWith('//') ? `https:${src}` : src;
    el.removeAttribute('src');
    el.removeAttribute('data-remote-src');
    if (remote) {
      if (!HTTP.test(remote)) return;
      pass.remote += 1;
      if (pass.options.showImages) el.setAttribute('src', remote);
      else {
        pass.blocked += 1;
        el.setAttribute('data-remote-src', remote);
      }
      return;
    }
    if (/^cid:/i.test(src)) {
      const id = src.slice(4).replace(/^<|>$/g, '');
      let url: string | undefined;
      try {
        url = pass.options.inline?.[decodeURIComponent(id)];
      } catch {
        url = undefined;
      }
      if (url && HTTP.test(url)) el.setAttribute('src', url);
      return;
    }
    if (SAFE_DATA_IMAGE.test(src)) el.setAttribute('src', src);
  });
  purifier = p;
  return p;
}

export function sanitizeMail(html: string, options: SanitizeOptions): SanitizedMail {
  const purify = instance();
  pass = { options, blocked: 0, remote: 0 };
  try {
    const clean = purify.sanitize(html, {
      ALLOWED_TAGS,
      ALLOWED_ATTR,
      ALLOW_DATA_ATTR: false,
      ALLOW_ARIA_ATTR: false,
      FORBID_TAGS: ['style', 'script', 'svg', 'math', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed', 'link', 'meta', 'base', 'template'],
      FORBID_ATTR: ['style', 'srcset', 'background', 'formaction', 'xlink:href'],
      KEEP_CONTENT: true,
      WHOLE_DOCUMENT: false,
      RETURN_TRUSTED_TYPE: false,
    }) as unknown as string;
    return { html: String(clean), blockedImages: pass.blocked, remoteImages: pass.remote };
  } finally {
    pass = undefined;
  }
}

/** Content-IDs of the inline images a mail's HTML refers to (cid:...). */
export function inlineImageIds(html: string): string[] {
  const ids = new Set<string>();
  for (const m of html.matchAll(/src\s*=\s*["']?cid:([^"'\s>]+)/gi)) {
    try {
      ids.add(decodeURIComponent(m[1]!).replace(/^<|>$/g, ''));
    } catch {
      // A malformed id simply stays unresolved.
    }
  }
  return [...ids];
}
