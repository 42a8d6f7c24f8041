import { describe, expect, it } from 'vitest';
import { api, endpoints, inSession, outboxFor, screenshot, skipReason, tokenFor, uniqueEmail, until, useBrowser } from './browser.ts';

/**
 * An agent an admin invited signs in to the dashboard for the first time with
 * the temporary password from the invitation, chooses their own password
 * (Cognito's NEW_PASSWORD_REQUIRED, answered by the dashboard), and works.
 */
describe.skipIf(skipReason)('first sign-in of an invited agent', () => {
  const browser = useBrowser();

  it('asks for a new password, refuses a weak one and a mismatch, then signs in', async () => {
    const email = uniqueEmail('invited');
    const invited = await api('POST', '/admin/agents', { token: await tokenFor('admin@helpdesk.local'), body: { email, name: 'Iara Invited', level: 1, departments: [] } });
    expect(invited.status, invited.text).toBe(201);
    const mail = await until('the invitation', async () => (await outboxFor(email)).find((m) => m.subject === 'Your temporary password'));
    const temporary = /temporary password is (\S+)\./.exec(mail.body.text ?? '')![1]!;

    await inSession(browser(), 'first-sign-in', async ({ page }) => {
      await page.goto(endpoints.dashboardUrl);
      await page.getByLabel('Email', { exact: true }).fill(email);
      await page.getByLabel('Password', { exact: true }).fill(temporary);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Choose your password' }).waitFor();
      expect(await page.title()).toBe('Choose your password');
      // Nothing typed in the sign-in form carries over (the temporary password least of all).
      expect(await page.getByLabel('New password', { exact: true }).inputValue()).toBe('');
      expect(await page.getByLabel('New password, again', { exact: true }).inputValue()).toBe('');
      await screenshot(page, '20-choose-password');

      const choose = async (password: string, again = password) => {
        await page.getByLabel('New password', { exact: true }).fill(password);
        await page.getByLabel('New password, again', { exact: true }).fill(again);
        await page.getByRole('button', { name: 'Save the password and sign in' }).click();
      };
      await choose('Strong-Pass-2026', 'Strong-Pass-2027');
      await page.getByRole('alert').getByText('The two passwords are not the same.').waitFor();
      await choose('NoSymbolsHere2026');
      await page.getByRole('alert').getByText('This password does not follow the rules below. Choose another.').waitFor();
      await choose('Strong-Pass-2026');
      await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).waitFor();
      await page.getByRole('banner').getByText(email).waitFor();
    });

    // The new password is the one that works now.
    const res = await fetch(endpoints.auth.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth' },
      body: JSON.stringify({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: endpoints.auth.clientId, AuthParameters: { USERNAME: email, PASSWORD: 'Strong-Pass-2026' } }),
    });
    expect(((await res.json()) as { AuthenticationResult?: unknown }).AuthenticationResult).toBeDefined();
  });
});
