import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { endpoints, inSession, outboxFor, retryUntilVisible, screenshot, signIn, skipReason, ticketFrom, uniqueEmail, until, UI_TIMEOUT, useBrowser } from './browser.ts';

const STATUS_LINK = /https?:\/\/[^\s"<]+\/status\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}/;

/**
 * A customer opens a ticket through the web form; the agent finds it in the
 * dashboard (queue and search); the acknowledgement mail's status link shows
 * the customer the conversation.
 */
describe.skipIf(skipReason)('customer web form', () => {
  const browser = useBrowser();

  it('opens a ticket from the form, the agent sees it, the acknowledgement links to the status page', async () => {
    const email = uniqueEmail('web-e2e');
    const subject = `Cannot print payslips ${randomUUID().slice(0, 6)}`;
    const message = 'The payslip PDF opens blank in the portal.\nI tried two browsers.';
    let number = '';

    // The customer, in their own browser.
    await inSession(browser(), 'web-form', async ({ page }) => {
      await page.goto(`${endpoints.apiUrl}/help`);
      await page.getByRole('heading', { level: 1, name: 'Contact support' }).waitFor();
      await screenshot(page, '07-web-form');
      await page.getByLabel('Your name').fill('Carla Dias');
      await page.getByLabel('Your email address (required)').fill(email);
      await page.getByLabel('Subject (required)').fill(subject);
      await page.getByLabel('How can we help? (required)').fill(message);
      // The honeypot stays empty and out of the way of keyboard users.
      const honeypot = page.locator('#website');
      expect(await honeypot.inputValue()).toBe('');
      expect(await honeypot.getAttribute('tabindex')).toBe('-1');
      await page.getByRole('button', { name: 'Send request' }).click();

      await page.getByRole('heading', { level: 1, name: 'Thank you, we have received your request' }).waitFor();
      const thanks = await page.getByText(/Your ticket number is #\d+\./).innerText();
      number = /#(\d+)/.exec(thanks)![1]!;
      await screenshot(page, '08-web-form-thanks');
    });

    const ticket = await ticketFrom(email);
    expect(String(ticket.number)).toBe(number);
    expect(ticket.channel).toBe('web');

    // The agent sees it in the queue, and finds it by its number.
    await inSession(browser(), 'web-form-agent', async ({ page }) => {
      await signIn(page);
      const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: subject }) });
      await row.waitFor();
      expect(await row.innerText()).toContain('Carla Dias');

      // Search: a ticket number opens that ticket; words from the subject list it.
      const search = async (q: string) => {
        await page.getByRole('search').getByRole('searchbox', { name: 'Search tickets' }).fill(q);
        await page.getByRole('search').getByRole('button', { name: 'Search' }).click();
      };
      await search(`#${number}`);
      await page.getByRole('heading', { level: 1, name: subject }).waitFor();
      // (The subject's words are indexed a moment after the ticket opens: search again until then.)
      await retryUntilVisible(page.getByRole('table', { name: 'Tickets matching “payslips”' }).getByRole('link', { name: subject }), () => search('payslips'));
      await page.getByRole('heading', { level: 1, name: 'Search' }).waitFor();
      await screenshot(page, '05-search');

      await page.getByRole('link', { name: subject }).click();
      await page.getByRole('heading', { level: 1, name: subject }).waitFor();
      const conversation = page.getByRole('region', { name: 'Conversation' });
      await conversation.getByText('The payslip PDF opens blank in the portal.', { exact: false }).waitFor();
      await conversation.getByText('From the customer').waitFor();
      await page.getByRole('complementary', { name: 'Ticket actions and details' }).getByText('Web form').waitFor();
    });

    // The acknowledgement carries a signed status link.
    const ack = await until('the acknowledgement', async () => (await outboxFor(email)).find((m) => m.subject.includes(`#${number}`)), UI_TIMEOUT);
    const link = STATUS_LINK.exec(ack.body.text ?? '')?.[0];
    expect(link, ack.body.text).toBeDefined();

    // The customer follows it and sees the conversation.
    await inSession(browser(), 'status-page', async ({ page }) => {
      const res = await page.goto(link!);
      expect(res?.status()).toBe(200);
      await page.getByRole('heading', { level: 1, name: `Ticket #${number}` }).waitFor();
      await page.getByText(subject).first().waitFor();
      await page.getByText('The payslip PDF opens blank in the portal.').waitFor();
      await page.getByText('I tried two browsers.').waitFor();
      await page.getByLabel('Your message').waitFor();
      await page.getByRole('button', { name: 'Send reply' }).waitFor();
      await screenshot(page, '09-status-page');

      // A tampered link is a polite page, not the ticket.
      const bad = await page.goto(link!.slice(0, -3) + (link!.endsWith('AAA') ? 'BBB' : 'AAA'));
      expect(bad?.status()).toBeGreaterThanOrEqual(400);
      expect(bad?.status()).toBeLessThan(500);
      expect(await page.getByText(subject).count()).toBe(0);
    });
  });
});
