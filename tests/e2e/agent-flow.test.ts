import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { endpoints, getTicket, inSession, mailSupport, outboxFor, QUEUE_TIMEOUT, retryUntilVisible, screenshot, signIn, skipReason, ticketFrom, uniqueEmail, until, UI_TIMEOUT, useBrowser } from './browser.ts';

/**
 * An agent's day in one flow, against the real local mode: sign in, a
 * customer's mail shows up in the queue on its own, the agent opens it,
 * replies, the customer gets the reply by mail, and the agent resolves it.
 */
describe.skipIf(skipReason)('agent flow', () => {
  const browser = useBrowser();

  it('signs in, sees a new mailed ticket appear in the queue, replies, the customer gets it, resolves', async () => {
    await inSession(browser(), 'agent-flow', async ({ page }) => {
      // Sign in with the standard email and password inputs.
      await page.goto(endpoints.dashboardUrl);
      await page.getByRole('heading', { level: 1, name: 'Sign in to the help desk' }).waitFor();
      expect(await page.title()).toContain('Sign in');
      expect(await page.getByLabel('Email', { exact: true }).getAttribute('autocomplete')).toBe('username');
      expect(await page.getByLabel('Password', { exact: true }).getAttribute('type')).toBe('password');
      await screenshot(page, '01-sign-in');

      // A wrong password is refused in words, and the form stays.
      await page.getByLabel('Email', { exact: true }).fill('l1@helpdesk.local');
      await page.getByLabel('Password', { exact: true }).fill('not-the-password');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('alert').filter({ hasText: 'Incorrect email or password.' }).waitFor();

      await signIn(page);
      // The queue has loaded once (its "updated" time shows) before the customer writes.
      await page.getByText(/tickets · updated/).waitFor();

      // A customer mails support; the queue shows the ticket without a reload.
      const customer = uniqueEmail('agent-flow');
      const subject = `Printer on the 3rd floor jams ${randomUUID().slice(0, 6)}`;
      const navigations: string[] = [];
      page.on('framenavigated', (f) => f === page.mainFrame() && navigations.push(f.url()));
      await mailSupport({ from: `Ana Lima <${customer}>`, subject, text: 'Every print job jams after the first page since this morning.' });
      const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: subject }) });
      await row.waitFor({ timeout: QUEUE_TIMEOUT });
      expect(navigations).toEqual([]);
      const rowText = await row.innerText();
      expect(rowText).toContain('Ana Lima');
      expect(rowText).toContain(customer);
      expect(rowText).toContain('Unassigned');
      expect(rowText).toMatch(/in \d+/); // the SLA countdown
      await screenshot(page, '02-queue');

      // Open it: the customer's mail is in the conversation.
      await row.getByRole('link', { name: subject }).click();
      await page.getByRole('heading', { level: 1, name: subject }).waitFor();
      const conversation = page.getByRole('region', { name: 'Conversation' });
      await conversation.getByText('Every print job jams after the first page since this morning.').waitFor();
      await conversation.getByText('Customer mail').first().waitFor();
      await page.getByRole('region', { name: 'Other tickets from this customer' }).getByText('No other tickets.').waitFor();

      // Reply (the composer starts on a public reply to the requester).
      expect(await page.getByRole('radio', { name: 'Reply to customer' }).isChecked()).toBe(true);
      const replyText = `Hello Ana, please try the tray on the left. (${randomUUID().slice(0, 8)})`;
      await page.getByLabel(`Reply to ${customer}`).fill(replyText);
      await page.getByRole('button', { name: 'Send reply' }).click();
      await page.getByText('Reply sent to the customer.').waitFor();
      await conversation.getByRole('article').filter({ hasText: replyText }).getByText('Public reply').waitFor();

      // The customer receives it in the local outbox.
      const ticket = await ticketFrom(customer);
      const mail = await until('the reply in the outbox', async () => (await outboxFor(customer)).find((m) => (m.body.text ?? '').includes(replyText)), UI_TIMEOUT);
      expect(mail.subject).toContain(`#${ticket.number}`);
      expect(mail.subject).toContain(subject);
      await screenshot(page, '03-ticket');

      // Resolve: the status shows it, and the buttons now offer reopening.
      await page.getByRole('group', { name: 'Change status' }).getByRole('button', { name: 'Resolve' }).click();
      await page.getByRole('group', { name: 'Change status' }).getByRole('button', { name: 'Reopen' }).waitFor();
      await page.locator('.ticket-head').getByText('Resolved', { exact: true }).waitFor();
      await expect.poll(async () => (await getTicket(ticket.id)).status, { timeout: UI_TIMEOUT }).toBe('resolved');

      // Back in the queue (active tickets only), the resolved ticket has left it.
      await page.getByRole('link', { name: '← Back to the queue' }).click();
      await page.getByRole('heading', { level: 1, name: 'Queues' }).waitFor();
      await page.getByText(/tickets · updated/).waitFor();
      expect(await page.getByRole('link', { name: subject }).count()).toBe(0);

      // The reports page draws from the counters this ticket moved. (Volume and SLA are
      // counted by UTC day while the page's default range ends on the browser's local
      // day, so in the evening west of UTC today's tickets fall outside it: only the
      // month-based subjects panel is asserted to show this ticket.)
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
      await page.getByRole('heading', { level: 1, name: 'Reports' }).waitFor();
      for (const panel of ['Ticket volume by category', 'Most recurring categories', 'SLA compliance by priority and level', 'Backlog by level', 'Customer satisfaction (CSAT)']) {
        await page.getByRole('region', { name: panel }).waitFor();
      }
      // (Creation counts are written a moment after the ticket opens: reload until then.)
      const subjects = page.getByRole('region', { name: 'Most recurring subjects' });
      await retryUntilVisible(subjects.getByRole('img'), async () => {
        if (!(await subjects.getByText('No tickets in this period.').isVisible())) return;
        await page.reload();
        await page.getByRole('heading', { level: 1, name: 'Reports' }).waitFor();
      });
      expect(await subjects.getByText('No tickets in this period.').count()).toBe(0);
      await page.getByRole('button', { name: 'Export CSV' }).waitFor();
      await screenshot(page, '04-reports');
    });
  });
});
