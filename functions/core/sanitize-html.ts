import sanitize from 'sanitize-html';

/**
 * HTML from mail is hostile until proven otherwise. This keeps formatting
 * (paragraphs, lists, tables, links, inline images) and drops everything that
 * runs or phones home: scripts, event handlers, styles that load resources,
 * forms, frames, and any URL scheme but http(s), mailto and cid. Remote images
 * are kept only as `data-remote-src`, so a browser shows them when an agent asks.
 */
const allowedTags = [
  'a', 'abbr', 'b', 'blockquote', 'br', 'caption', 'cite', 'code', 'col', 'colgroup', 'dd', 'del', 'div', 'dl', 'dt',
  'em', 'font', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'i', 'img', 'ins', 'li', 'mark', 'ol', 'p', 'pre', 'q', 's',
  'small', 'span', 'strike', 'strong', 'sub', 'sup', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'u', 'ul',
];

export function sanitizeMailHtml(html: string): string {
  return sanitize(html, {
    allowedTags,
    allowedAttributes: {
      a: ['href', 'title', 'rel', 'target'],
      img: ['src', 'alt', 'title', 'width', 'height', 'data-remote-src'],
      td: ['colspan', 'rowspan', 'align', 'valign'],
      th: ['colspan', 'rowspan', 'align', 'valign'],
      '*': ['dir', 'lang'],
    },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['cid', 'data'] },
    allowProtocolRelative: false,
    // Drop the content of these, not only the tags: a <style> body is not text.
    nonTextTags: ['script', 'style', 'textarea', 'noscript', 'title', 'head', 'iframe', 'object', 'embed', 'template'],
    transformTags: {
      a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'noopener noreferrer nofollow', target: '_blank' } }),
      img: (tagName, attribs) => {
        // Only this transform may set data-remote-src; a sender's own is dropped.
        const { src = '', 'data-remote-src': _forged, ...rest } = attribs;
        // A remote image is a tracking pixel until an agent chooses to load it.
        if (/^https?:\/\//i.test(src)) return { tagName, attribs: { ...rest, 'data-remote-src': src } };
        if (/^cid:/i.test(src) || /^data:image\/(png|jpeg|gif|webp);/i.test(src)) return { tagName, attribs: { ...rest, src } };
        return { tagName, attribs: rest };
      },
    },
    allowedSchemesAppliedToAttributes: ['href', 'src'],
  });
}
