import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { api, createTicket, endpoints, getTicket, inSession, signIn, skipReason, tokenFor, until, useBrowser } from './browser.ts';

/**
 * Who a reply goes to, in the ticket view: the composer warns about an address
 * that bounced before (here the SES mailbox simulator's bounce address, on
 * another ticket), and the agent adds and removes participants, in English and
 * in Portuguese.
 */
describe.skipIf(skipReason)('the people on a ticket', () => {
  const browser = useBrowser();

  it('warns about a bounced address while writing a reply, and adds and removes a participant', async () => {
    const address = `bounce+${randomUUID().slice(0, 8)}@simulator.amazonses.com`;
    const token = await tokenFor('l1@helpdesk.local');
    // A reply on a first ticket bounces...
    const first = await createTicket({ requester: { email: address, name: 'Bounce' }, subject: `First ${randomUUID().slice(0, 6)}` });
    expect((await api('POST', `/tickets/${first.id}/messages`, { token, body: { kind: 'reply', body: 'Hello' } })).status).toBe(201);
    await until('the bounce', async () => ((await api('GET', `/tickets/${first.id}`, { token })).body.events.some((e: any) => e.action === 'mail.bounced') ? true : undefined));
    // ...and the agent opens a second ticket from the same address.
    const subject = `Second ${randomUUID().slice(0, 6)}`;
    const second = await createTicket({ requester: { email: address, name: 'Bounce' }, subject });
    const colleague = `colleague-${randomUUID().slice(0, 8)}@example.com`;

    await inSession(browser(), 'ticket-people-en', async ({ page }) => {
      await signIn(page);
      await page.goto(`${endpoints.dashboardUrl}/tickets/${second.id}`);
      await page.getByRole('heading', { level: 1, name: subject }).waitFor();
      const warning = page.getByRole('note').filter({ hasText: 'Mail to this address may not arrive' });
      await warning.getByText(new RegExp(`Mail to ${address.replace(/[+.]/g, '\\$&')} bounced on`)).waitFor();
      // A note goes to no one: no warning while writing one.
      await page.getByRole('radio', { name: 'Internal note' }).check();
      expect(await warning.count()).toBe(0);
      await page.getByRole('radio', { name: 'Reply to customer' }).check();
      await warning.waitFor();

      const people = page.getByRole('region', { name: 'Participants' });
      await people.getByText('No one besides the requester.').waitFor();
      await people.getByLabel('Add someone by email').fill('not an address');
      await people.getByRole('button', { name: 'Add', exact: true }).click();
      await people.getByRole('alert').filter({ hasText: 'That is not an email address.' }).waitFor();
      await people.getByLabel('Add someone by email').fill(colleague);
      await people.getByRole('button', { name: 'Add', exact: true }).click();
      await people.getByRole('listitem').filter({ hasText: colleague }).waitFor();
      await expect.poll(async () => (await getTicket(second.id)).participants).toEqual([colleague]);
    });

    await inSession(
      browser(),
      'ticket-people-pt',
      async ({ page }) => {
        await signIn(page, 'l1@helpdesk.local', { email: 'E-mail', password: 'Senha', submit: 'Entrar', signOut: 'Sair' });
        await page.goto(`${endpoints.dashboardUrl}/tickets/${second.id}`);
        await page.getByRole('heading', { level: 1, name: subject }).waitFor();
        await page.getByRole('note').getByText(new RegExp(`O e-mail para ${address.replace(/[+.]/g, '\\$&')} voltou em`)).waitFor();
        const people = page.getByRole('region', { name: 'Participantes' });
        await people.getByRole('button', { name: `Remover ${colleague} dos participantes` }).click();
        await people.getByText('Ninguém além do solicitante.').waitFor();
        await expect.poll(async () => (await getTicket(second.id)).participants).toEqual([]);
      },
      { locale: 'pt-BR' },
    );
  });
});
