import { describe, expect, it } from 'vitest';
import { totp, totpStep } from '../../local/totp.ts';
import { api, endpoints, inSession, outboxFor, screenshot, skipReason, tokenFor, uniqueEmail, until, useBrowser } from './browser.ts';

/**
 * Two-step sign-in: a newly invited agent sets up an authenticator app from the
 * dashboard (the key it shows gives the codes a phone would), signs out, and
 * signs in again with the password and a code; a wrong code is refused at
 * both steps.
 */
const PASSWORD = 'Two-Step-Pass-2026';

async function cognito(operation: string, body: Record<string, unknown>) {
  const res = await fetch(endpoints.auth.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${operation}` },
    body: JSON.stringify({ ClientId: endpoints.auth.clientId, ...body }),
  });
  return (await res.json()) as Record<string, any>;
}

/** An invited agent who has already chosen their password (the first sign-in is first-sign-in.test.ts's subject). */
async function invitedAgent(): Promise<string> {
  const email = uniqueEmail('two-step');
  const invited = await api('POST', '/admin/agents', { token: await tokenFor('admin@helpdesk.local'), body: { email, name: 'Tomé Two-Step', level: 1, departments: [] } });
  expect(invited.status, invited.text).toBe(201);
  const mail = await until('the invitation', async () => (await outboxFor(email)).find((m) => m.subject === 'Your temporary password'));
  const temporary = /temporary password is (\S+)\./.exec(mail.body.text ?? '')![1]!;
  const started = await cognito('InitiateAuth', { AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: temporary } });
  expect(started.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
  const done = await cognito('RespondToAuthChallenge', { ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: started.Session, ChallengeResponses: { USERNAME: email, NEW_PASSWORD: PASSWORD } });
  expect(done.AuthenticationResult).toBeDefined();
  return email;
}

/** A six-digit code that is none of the codes the window accepts now. */
function wrongCode(secret: string) {
  const valid = new Set([-1, 0, 1].map((d) => totp(secret, { step: totpStep(Date.now()) + d })));
  for (let n = 123456; ; n = (n + 111111) % 1_000_000) {
    const code = String(n).padStart(6, '0');
    if (!valid.has(code)) return code;
  }
}

describe.skipIf(skipReason)('two-step sign-in (TOTP)', () => {
  const browser = useBrowser();

  it('an agent sets up an authenticator app, then signs in with the password and a code; wrong codes are refused', async () => {
    const email = await invitedAgent();

    await inSession(browser(), 'two-step', async ({ page }) => {
      const signInWithPassword = async () => {
        await page.getByLabel('Email', { exact: true }).fill(email);
        await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      };
      await page.goto(endpoints.dashboardUrl);
      await signInWithPassword();
      await page.getByRole('banner').getByRole('link', { name: 'Two-step sign-in' }).click();
      await page.getByRole('heading', { level: 1, name: 'Two-step sign-in' }).waitFor();
      expect(await page.title()).toBe('Two-step sign-in');
      await page.getByRole('button', { name: 'Set up an authenticator app' }).click();

      // The key, in groups of four for typing, and the same key in the otpauth:// link.
      const shown = (await page.locator('#two-step-secret').textContent()) ?? '';
      expect(shown).toMatch(/^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);
      const secret = shown.replace(/\s/g, '');
      const uri = `otpauth://totp/Help%20desk:${encodeURIComponent(email)}?secret=${secret}&issuer=Help%20desk&algorithm=SHA1&digits=6&period=30`;
      expect(await page.locator('#two-step-uri').textContent()).toBe(uri);
      expect(await page.getByRole('link', { name: 'Open in an authenticator app' }).getAttribute('href')).toBe(uri);
      await screenshot(page, '30-two-step-setup');

      const code = page.getByLabel('6-digit code', { exact: true });
      await code.fill(wrongCode(secret));
      await page.getByRole('button', { name: 'Verify and turn on' }).click();
      await page.getByRole('alert').getByText('That code is not right.', { exact: false }).waitFor();
      expect(await code.inputValue()).toBe('');

      const enrolStep = totpStep(Date.now());
      await code.fill(totp(secret, { step: enrolStep }));
      await page.getByRole('button', { name: 'Verify and turn on' }).click();
      await page.getByRole('status').getByText('Two-step sign-in is on.', { exact: false }).waitFor();

      await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
      // Signing in again from the desk's home page (signing in where one signed out returns to that page).
      await page.goto(endpoints.dashboardUrl);
      await signInWithPassword();
      await page.getByRole('heading', { level: 1, name: 'Enter your sign-in code' }).waitFor();
      await screenshot(page, '31-two-step-code');
      const signInCode = page.getByLabel('6-digit code', { exact: true });
      await signInCode.fill(wrongCode(secret));
      await page.getByRole('button', { name: 'Verify and sign in' }).click();
      await page.getByRole('alert').getByText('That code is not right.', { exact: false }).waitFor();

      // The enrolment's code is spent: the next step's code is the one the app shows by now (or within the window).
      await signInCode.fill(totp(secret, { step: enrolStep + 1 }));
      await page.getByRole('button', { name: 'Verify and sign in' }).click();
      await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).waitFor();
      await page.getByRole('banner').getByText(email).waitFor();
      await page.getByRole('heading', { level: 1, name: 'Queues' }).waitFor();
    });

    // The pool asks every password sign-in for the code now.
    const again = await cognito('InitiateAuth', { AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD } });
    expect(again.ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
    expect(again.AuthenticationResult).toBeUndefined();
  });
});
