// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { inlineImageIds, sanitizeMail } from '../../dashboard/src/sanitize.ts';

// The root typecheck has no DOM lib: the test reaches jsdom's document untyped.
const document = (globalThis as any).document;

/** Parses the result the way the browser will when the dashboard renders it. */
function render(html: string): any {
  const host = document.createElement('div');
  host.innerHTML = html;
  return host;
}

describe('dashboard mail sanitizer (DOMPurify, second lock after the server)', () => {
  it('drops scripts, event handlers and javascript: links', () => {
    const { html } = sanitizeMail(
      `<p onclick="alert(1)">Hi<script>alert(2)</script></p><img src="x" onerror="alert(3)"><a href="javascript:alert(4)">click</a>` +
        `<a href="JaVaScRiPt:alert(5)">two</a><svg><script>alert(6)</script></svg><iframe src="https://evil.example"></iframe>` +
        `<form action="https://evil.example"><input name="q"><button formaction="javascript:alert(7)">go</button></form>` +
        `<math><mi xlink:href="javascript:alert(8)">m</mi></math><style>body{background:url(https://track.example/x)}</style>`,
      { showImages: false },
    );
    const dom = render(html);
    expect(dom.querySelectorAll('script, iframe, form, input, button, svg, math, style')).toHaveLength(0);
    for (const el of dom.querySelectorAll('*') as any[]) {
      for (const attr of el.attributes as any[]) expect(attr.name.startsWith('on'), `${el.tagName} ${attr.name}`).toBe(false);
    }
    for (const a of dom.querySelectorAll('a') as any[]) expect(a.getAttribute('href') ?? '').not.toMatch(/javascript:/i);
    expect(html).not.toMatch(/alert\(/);
    expect(dom.textContent).toContain('Hi');
    expect(dom.textContent).toContain('click');
  });

  it('holds remote images back until the agent asks, and counts them', () => {
    const mail = `<p>Logo</p><img data-remote-src="https://cdn.example/logo.png" alt="logo"><img src="http://track.example/pixel.gif"><img src="//proto.example/x.png">`;
    const blocked = sanitizeMail(mail, { showImages: false });
    const dom = render(blocked.html);
    expect(dom.querySelectorAll('img[src]')).toHaveLength(0);
    expect(([...dom.querySelectorAll('img')] as any[]).map((i) => i.getAttribute('data-remote-src'))).toEqual([
      'https://cdn.example/logo.png',
      'http://track.example/pixel.gif',
      'https://proto.example/x.png',
    ]);
    expect(blocked.blockedImages).toBe(3);
    expect(blocked.remoteImages).toBe(3);

    const shown = sanitizeMail(mail, { showImages: true });
    const imgs: any[] = [...render(shown.html).querySelectorAll('img')];
    expect(imgs.map((i) => i.getAttribute('src'))).toEqual(['https://cdn.example/logo.png', 'http://track.example/pixel.gif', 'https://proto.example/x.png']);
    expect(shown.blockedImages).toBe(0);
  });

  it('never loads a non-http remote source, even when images are shown', () => {
    const { html } = sanitizeMail(`<img data-remote-src="javascript:alert(1)"><img src="ftp://x.example/a.png">`, { showImages: true });
    const dom = render(html);
    expect(dom.querySelectorAll('img[src]')).toHaveLength(0);
    expect(html).not.toMatch(/javascript:/i);
  });

  it('keeps small inline data images and resolves cid: images only through given links', () => {
    const png = 'data:image/png;base64,iVBORw0KGgo=';
    const { html } = sanitizeMail(`<img src="${png}"><img src="cid:logo@mail"><img src="cid:unknown@mail"><img src="data:text/html;base64,PHNjcmlwdD4=">`, {
      showImages: false,
      inline: { 'logo@mail': 'https://files.example/logo?sig=1' },
    });
    const srcs = ([...render(html).querySelectorAll('img')] as any[]).map((i) => i.getAttribute('src'));
    expect(srcs).toEqual([png, 'https://files.example/logo?sig=1', null, null]);
    expect(inlineImageIds(`<img src="cid:logo@mail"><img src='cid:%3Cb%40c%3E'>`)).toEqual(['logo@mail', 'b@c']);
  });

  it('drops styles that could load resources and opens links safely', () => {
    const { html } = sanitizeMail(`<p style="background:url(https://t.example/p)">x</p><table background="https://t.example/b"><tr><td>c</td></tr></table><a href="https://ok.example">ok</a><a href="mailto:a@b.example">m</a><a href="/relative">r</a>`, { showImages: false });
    const dom = render(html);
    expect(html).not.toContain('t.example');
    const links: any[] = [...dom.querySelectorAll('a')];
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['https://ok.example', 'mailto:a@b.example', null]);
    expect(links[0]!.getAttribute('target')).toBe('_blank');
    expect(links[0]!.getAttribute('rel')).toBe('noopener noreferrer nofollow');
  });

  it('keeps ordinary formatting', () => {
    const { html } = sanitizeMail('<div><b>Bold</b> <ul><li>one</li></ul><table><tr><td colspan="2">cell</td></tr></table></div>', { showImages: false });
    expect(html).toContain('<b>Bold</b>');
    expect(html).toContain('<li>one</li>');
    expect(html).toContain('colspan="2"');
  });
});
