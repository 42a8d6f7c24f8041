import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { api, endpoints, inSession, signIn, skipReason, ticketFrom, tokenFor, uniqueEmail, until, useBrowser } from './browser.ts';

/**
 * What the agent is told about where a mail came from: a ticket opened by a
 * mail that failed sender authentication says "unverified sender", and an
 * out-of-office in the conversation says it is an automatic reply, in English
 * and in Portuguese.
 */
describe.skipIf(skipReason)('mail labels in the ticket view', () => {
  const browser = useBrowser();

  it('labels an unverified sender and an automatic reply, in both languages', async () => {
    const from = uniqueEmail('labels');
    const messageId = `<${randomUUID()}@client.example>`;
    const subject = `Confirme sua senha ${randomUUID().slice(0, 6)}`;
    const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: endpoints.smtpPort, secure: false, ignoreTLS: true });
    try {
      await smtp.sendMail({ from, to: endpoints.supportAddress, subject, text: 'Clique no link.', messageId, headers: { 'X-Local-Dmarc-Verdict': 'FAIL' } });
      const ticket = await ticketFrom(from);
      await smtp.sendMail({ from, to: endpoints.supportAddress, subject: `Automatic reply: ${subject}`, text: 'I am away.', inReplyTo: messageId, headers: { 'Auto-Submitted': 'auto-replied' } });
      await until('the out-of-office on the ticket', async () => {
        const res = await api('GET', `/tickets/${ticket.id}`, { token: await tokenFor('l1@helpdesk.local') });
        return res.body.messages?.length === 2 ? true : undefined;
      });
      // An answer to our thread that fails DMARC joins the ticket, marked on the message itself.
      await smtp.sendMail({ from, to: endpoints.supportAddress, subject: `Re: ${subject}`, text: 'Segue.', inReplyTo: messageId, headers: { 'X-Local-Dmarc-Verdict': 'FAIL' } });
      await until('the unverified answer on the ticket', async () => {
        const res = await api('GET', `/tickets/${ticket.id}`, { token: await tokenFor('l1@helpdesk.local') });
        return res.body.messages?.length === 3 ? true : undefined;
      });

      for (const [locale, labels, unverified, automatic] of [
        ['en-US', undefined, 'Unverified sender', 'Automatic reply'],
        ['pt-BR', { email: 'E-mail', password: 'Senha', submit: 'Entrar', signOut: 'Sair' }, 'Remetente não verificado', 'Resposta automática'],
      ] as const) {
        await inSession(
          browser(),
          `mail-labels-${locale}`,
          async ({ page }) => {
            await signIn(page, 'l1@helpdesk.local', labels);
            await page.goto(`${endpoints.dashboardUrl}/tickets/${ticket.id}`);
            await page.getByRole('heading', { level: 1, name: subject }).waitFor();
            await page.locator('.ticket-head').getByText(unverified, { exact: true }).waitFor();
            const articles = page.locator('.conversation article');
            await articles.nth(1).getByText(automatic, { exact: true }).waitFor();
            // Only the out-of-office says so: the customer's own mail does not.
            expect(await articles.nth(0).getByText(automatic, { exact: true }).count()).toBe(0);
            await articles.nth(2).getByText(unverified, { exact: true }).waitFor();
            expect(await articles.nth(1).getByText(unverified, { exact: true }).count()).toBe(0);
          },
          { locale },
        );
      }
    } finally {
      smtp.close();
    }
  });
});
