import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { api, createTicket, endpoints, inSession, screenshot, signIn, skipReason, tokenFor, uniqueEmail, useBrowser } from './browser.ts';

/**
 * The admin area of the dashboard: the demo admin invites an agent, changes
 * their level, disables them (with a confirm step) and edits a canned
 * response, each checked against the API; a level-1 agent sees no admin area.
 */
describe.skipIf(skipReason)('admin area', () => {
  const browser = useBrowser();

  it('lets the admin invite, change and disable an agent, and edit a canned response', async () => {
    const email = uniqueEmail('teammate');
    const name = `Iara ${randomUUID().slice(0, 6)}`;
    const cannedTitle = `Printer jam ${randomUUID().slice(0, 6)}`;
    const cannedId = cannedTitle.toLowerCase().replace(/ /g, '-');
    const adminToken = await tokenFor('admin@helpdesk.local');

    await inSession(browser(), 'admin-area', async ({ page }) => {
      await signIn(page, 'admin@helpdesk.local');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
      await page.getByRole('heading', { level: 1, name: 'Administration' }).waitFor();
      await page.getByRole('table', { name: 'Agents of the help desk' }).getByRole('cell', { name: 'l1@helpdesk.local' }).waitFor();

      // Invite: a bad address is explained before anything is sent.
      const invite = page.getByRole('region', { name: 'Invite an agent' });
      await invite.getByLabel('Email', { exact: true }).fill('not-an-address');
      await invite.getByLabel('Name', { exact: true }).fill(name);
      await invite.getByRole('button', { name: 'Send the invitation' }).click();
      await invite.getByText('Enter a valid email address.').waitFor();
      await invite.getByLabel('Email', { exact: true }).fill(email);
      await invite.getByLabel('Level', { exact: true }).selectOption('1');
      await invite.getByRole('checkbox', { name: 'IT', exact: true }).check();
      await invite.getByRole('button', { name: 'Send the invitation' }).click();
      await invite.getByRole('status').getByText(`Invited ${email}`).waitFor();
      // The same address again: the API's 409, in plain words.
      await invite.getByLabel('Email', { exact: true }).fill(email);
      await invite.getByLabel('Name', { exact: true }).fill(name);
      await invite.getByRole('button', { name: 'Send the invitation' }).click();
      await invite.getByRole('alert').getByText('An agent with this email already exists.', { exact: false }).waitFor();

      // Manage them: Cognito's state, then level 1 → 2.
      await page.getByRole('button', { name: `Manage ${name}` }).click();
      const panel = page.getByRole('region', { name: `${name} <${email}>` });
      await panel.getByText('Invited: first sign-in pending').waitFor();
      expect(await panel.getByRole('checkbox', { name: 'IT', exact: true }).isChecked()).toBe(true);
      await panel.getByLabel('Level', { exact: true }).selectOption('2');
      await panel.getByRole('button', { name: 'Save changes' }).click();
      await panel.getByRole('status').getByText('Saved.', { exact: false }).waitFor();
      await screenshot(page, '30-admin-team');

      // Disable, with a confirm step: Cancel changes nothing, Disable does.
      await panel.getByRole('button', { name: 'Disable', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: `Disable ${name}?` });
      await dialog.waitFor();
      // The focus starts on Cancel, and Esc closes the dialog: the keyboard never confirms by accident.
      expect(await dialog.getByRole('button', { name: 'Cancel' }).evaluate((el) => el === (el as any).ownerDocument.activeElement)).toBe(true);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      await panel.getByRole('button', { name: 'Disable', exact: true }).click();
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });
      expect((await api('GET', `/admin/agents/${encodeURIComponent(email)}`, { token: adminToken })).body.active).toBe(true);
      await panel.getByRole('button', { name: 'Disable', exact: true }).click();
      await dialog.getByRole('button', { name: 'Disable', exact: true }).click();
      await panel.getByRole('status').getByText('Disabled. They can no longer sign in.').waitFor();
      await panel.getByRole('button', { name: 'Enable', exact: true }).waitFor();
      await page.getByRole('row').filter({ hasText: email }).getByText('Disabled', { exact: true }).waitFor();

      // Canned responses: create one, then edit its English text.
      await page.getByRole('navigation', { name: 'Administration sections' }).getByRole('link', { name: 'Canned responses' }).click();
      await page.getByRole('button', { name: 'New canned response' }).click();
      await page.getByLabel('Title (English)').fill(cannedTitle);
      await page.getByLabel('Title (Português)').fill(`Papel preso ${cannedId}`);
      expect(await page.getByLabel('Id', { exact: true }).inputValue()).toBe(cannedId);
      await page.getByLabel('Text (English)').fill('Open the tray and remove the paper.');
      await page.getByLabel('Text (Português)').fill('Abra a bandeja e retire o papel.');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByRole('status').getByText(`Created “${cannedId}”.`).waitFor();
      await page.getByRole('button', { name: `Edit ${cannedTitle}` }).click();
      await page.getByLabel('Text (English)').fill('Open tray B and remove the paper.');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByRole('status').getByText(`Saved “${cannedId}”.`).waitFor();
      const edited = await api('GET', '/canned-responses', { token: adminToken });
      expect(edited.body.items.find((c: { id: string }) => c.id === cannedId)).toEqual({
        id: cannedId,
        title: { en: cannedTitle, 'pt-BR': `Papel preso ${cannedId}` },
        body: { en: 'Open tray B and remove the paper.', 'pt-BR': 'Abra a bandeja e retire o papel.' },
      });
      await screenshot(page, '31-admin-canned');

      // The admin audit lists what was done, newest first.
      await page.getByRole('navigation', { name: 'Administration sections' }).getByRole('link', { name: 'Admin audit' }).click();
      const audit = page.getByRole('table', { name: 'Admin audit' });
      await audit.getByRole('row').filter({ hasText: email }).filter({ hasText: 'Agent disabled' }).waitFor();
      await audit.getByRole('row').filter({ hasText: cannedId }).filter({ hasText: 'Canned response edited' }).waitFor();

      // Delete it again, after a confirm step.
      await page.getByRole('navigation', { name: 'Administration sections' }).getByRole('link', { name: 'Canned responses' }).click();
      await page.getByRole('button', { name: `Delete ${cannedTitle}` }).click();
      await page.getByRole('dialog', { name: `Delete “${cannedId}”?` }).getByRole('button', { name: 'Delete', exact: true }).click();
      await page.getByRole('status').getByText(`Deleted “${cannedId}”.`).waitFor();
      await page.getByRole('button', { name: `Edit ${cannedTitle}` }).waitFor({ state: 'detached' });
    });

    const agent = await api('GET', `/admin/agents/${encodeURIComponent(email)}`, { token: adminToken });
    expect(agent.status, agent.text).toBe(200);
    expect(agent.body).toMatchObject({ email, name, level: 2, admin: false, departments: ['it'], active: false, enabled: false, status: 'FORCE_CHANGE_PASSWORD' });
    const canned = await api('GET', '/canned-responses', { token: adminToken });
    expect(canned.body.items.some((c: { id: string }) => c.id === cannedId)).toBe(false);
  });

  it('erases a requester only after the address is typed twice and confirmed', async () => {
    const requester = uniqueEmail('erase-me');
    const created = await createTicket({ requester: { email: requester, name: 'Erin Erasable' }, subject: 'Please forget me' });
    await inSession(browser(), 'admin-erase', async ({ page }) => {
      await signIn(page, 'admin@helpdesk.local');
      await page.goto(`${endpoints.dashboardUrl}/admin/erase`);
      await page.getByRole('heading', { level: 2, name: 'Erase a requester' }).waitFor();
      await page.getByLabel('Requester’s email').fill(requester);
      await page.getByLabel('The same email, again').fill(`x${requester}`);
      await page.getByText('The two addresses are not the same.').waitFor();
      await page.getByRole('button', { name: 'Erase this requester' }).click();
      await page.getByText('Tick the box to confirm.').waitFor();
      await page.getByLabel('The same email, again').fill(requester.toUpperCase());
      await page.getByRole('checkbox', { name: `I understand that the personal data of ${requester} will be erased for good.` }).check();
      await page.getByRole('button', { name: 'Erase this requester' }).click();
      await page.getByRole('status').getByText(`Erased ${requester}. Tickets erased: 1; closed by the erasure: 1.`).waitFor();
      // Again: nothing is left.
      await page.getByLabel('Requester’s email').fill(requester);
      await page.getByLabel('The same email, again').fill(requester);
      await page.getByRole('checkbox').check();
      await page.getByRole('button', { name: 'Erase this requester' }).click();
      await page.getByRole('status').getByText(`Nothing of ${requester} was left to erase.`).waitFor();

      // In Portuguese too, with no message key left untranslated.
      await page.getByRole('banner').getByLabel('Language').selectOption('pt-BR');
      await page.getByRole('heading', { level: 2, name: 'Apagar um solicitante' }).waitFor();
      await page.getByRole('navigation', { name: 'Seções da administração' }).getByRole('link', { name: 'Equipe' }).click();
      await page.getByRole('region', { name: 'Convidar um agente' }).waitFor();
      expect(await page.locator('body').innerText()).not.toMatch(/\badmin\.[a-zA-Z]/);
    });
    const thread = await api('GET', `/tickets/${created.id}`, { token: await tokenFor('admin@helpdesk.local') });
    expect(thread.body.ticket.requester.email).toMatch(/^erased-[0-9a-f]{12}@invalid$/);
  });

  it('shows a level-1 agent no admin area', async () => {
    await inSession(browser(), 'admin-area-l1', async ({ page }) => {
      await signIn(page, 'l1@helpdesk.local');
      const nav = page.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'Reports' }).waitFor();
      expect(await nav.getByRole('link', { name: 'Admin' }).count()).toBe(0);
      await page.goto(`${endpoints.dashboardUrl}/admin`);
      await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
      expect(await page.getByText('Invite an agent').count()).toBe(0);
    });
  });
});
