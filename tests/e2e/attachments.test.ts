import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { endpoints, inSession, QUEUE_TIMEOUT, signIn, skipReason, ticketFrom, uniqueEmail, UI_TIMEOUT, useBrowser } from './browser.ts';

/**
 * Files through the local S3 front as the dashboard's page uses it: the presigned
 * upload is a cross-origin PUT from the dashboard's origin (CORS preflight included),
 * and a download is a presigned GET signed with the install's secret.
 */
async function downloaded(page: Page, click: () => Promise<void>): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: UI_TIMEOUT }), click()]);
  return readFile((await download.path())!, 'utf8');
}

describe.skipIf(skipReason)('attachments in the dashboard', () => {
  const browser = useBrowser();

  it('downloads a customer’s attachment, and uploads a file with a note that then downloads too', async () => {
    const customer = uniqueEmail('attachments');
    const subject = `Scanner log ${randomUUID().slice(0, 6)}`;
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: endpoints.smtpPort, secure: false, ignoreTLS: true });
    try {
      await transport.sendMail({ from: customer, to: endpoints.supportAddress, subject, text: 'Log attached.', attachments: [{ filename: 'erro.txt', content: 'paper jam 42' }] });
    } finally {
      transport.close();
    }
    await ticketFrom(customer, QUEUE_TIMEOUT);

    await inSession(browser(), 'attachments', async ({ page }) => {
      await page.goto(endpoints.dashboardUrl);
      await signIn(page);
      const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: subject }) });
      await row.waitFor({ timeout: QUEUE_TIMEOUT });
      await row.getByRole('link', { name: subject }).click();
      await page.getByRole('heading', { level: 1, name: subject }).waitFor();
      const conversation = page.getByRole('region', { name: 'Conversation' });

      // The customer's file, as a download from the S3 front.
      expect(await downloaded(page, () => conversation.getByRole('button', { name: 'Download erro.txt' }).click())).toBe('paper jam 42');

      // An agent's file: uploaded by the page itself (a presigned PUT from the dashboard's origin).
      const content = `manual ${randomUUID()}`;
      await page.getByRole('radio', { name: 'Internal note' }).check();
      await page.getByLabel('Internal note (agents only)').fill('The manual, for whoever takes this next.');
      await page.locator('#composer-files').setInputFiles({ name: 'manual.txt', mimeType: 'text/plain', buffer: Buffer.from(content) });
      await page.getByRole('button', { name: 'Add note' }).click();
      await page.getByText('Note added.').waitFor();
      const note = conversation.getByRole('article').filter({ hasText: 'The manual, for whoever takes this next.' });
      expect(await downloaded(page, () => note.getByRole('button', { name: 'Download manual.txt' }).click())).toBe(content);
    });
  });
});
