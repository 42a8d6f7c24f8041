import { describe, expect, it } from 'vitest';
import { createTicket, endpoints, getTicket, inSession, patchTicket, screenshot, signIn, skipReason, uniqueEmail, UI_TIMEOUT, useBrowser } from './browser.ts';

// A browser global, used inside page.evaluate (the project's typecheck has no DOM library).
declare const sessionStorage: any;

/**
 * A change made elsewhere while the agent looks at a ticket is never
 * overwritten: the agent's action is refused, explained, and a reload button
 * shows the ticket as it now is. Sign-out ends the session for good.
 */
describe.skipIf(skipReason)('stale versions and sign-out', () => {
  const browser = useBrowser();

  it('explains a stale-version conflict with a reload button, never a silent overwrite', async () => {
    const created = await createTicket({ requester: { email: uniqueEmail('conflict'), name: 'Rui Costa' }, subject: 'VPN drops every hour', channel: 'phone' });

    await inSession(browser(), 'conflict', async ({ page }) => {
      await signIn(page);
      await page.goto(`${endpoints.dashboardUrl}/tickets/${created.id}`);
      await page.getByRole('heading', { level: 1, name: 'VPN drops every hour' }).waitFor();
      const actions = page.getByRole('complementary', { name: 'Ticket actions and details' });
      await actions.getByRole('button', { name: 'Assign to me' }).waitFor();

      // Another agent raises the priority behind this page's back.
      await patchTicket(created.id, { priority: 'urgent' }, 'l2@helpdesk.local');

      // This agent, on the old version, assigns the ticket to themselves.
      await actions.getByRole('button', { name: 'Assign to me' }).click();
      const conflict = page.getByRole('alert').filter({ has: page.getByRole('heading', { name: 'Your change was not saved' }) });
      await conflict.waitFor();
      const text = await conflict.innerText();
      expect(text).toMatch(/you had version \d+, it is now version \d+/);
      expect(text).toContain('Not saved: Assignee → l1@helpdesk.local');
      expect(text).toMatch(/Priority: Normal → Urgent/);
      // While the conflict stands, the actions wait for the reload.
      expect(await actions.getByRole('button', { name: 'Assign to me' }).isDisabled()).toBe(true);
      await screenshot(page, '10-conflict');

      // Nothing was overwritten.
      const after = await getTicket(created.id);
      expect(after.priority).toBe('urgent');
      expect(after.assignee ?? null).toBeNull();

      // Reload shows the ticket as it is, and the agent can decide again.
      await conflict.getByRole('button', { name: 'Reload the ticket' }).click();
      await conflict.waitFor({ state: 'detached' });
      await expect.poll(() => page.getByRole('combobox', { name: 'Priority' }).inputValue(), { timeout: UI_TIMEOUT }).toBe('urgent');
      await actions.getByRole('button', { name: 'Assign to me' }).click();
      await expect.poll(async () => (await getTicket(created.id)).assignee, { timeout: UI_TIMEOUT }).toBe('l1@helpdesk.local');
      await actions.getByRole('button', { name: 'Assign to me' }).and(page.locator(':disabled')).waitFor();
    });
  });

  it('signs out: back to the sign-in form, and the dashboard stays closed after a reload', async () => {
    await inSession(browser(), 'sign-out', async ({ page }) => {
      await signIn(page);
      await page.getByRole('banner').getByText('l1@helpdesk.local').waitFor();
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { level: 1, name: 'Sign in to the help desk' }).waitFor();
      expect(await page.getByRole('heading', { name: 'Queues' }).count()).toBe(0);

      // No session survives in the tab: a reload and a deep link both land on sign-in.
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Sign in to the help desk' }).waitFor();
      await page.goto(`${endpoints.dashboardUrl}/reports`);
      await page.getByRole('heading', { level: 1, name: 'Sign in to the help desk' }).waitFor();
      expect(await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.includes('session')))).toEqual([]);

      // Signing in again from there works.
      await signIn(page);
    });
  });
});
