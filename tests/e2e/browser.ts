import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import nodemailer from 'nodemailer';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, inject } from 'vitest';
import { api, endpoints, tokenFor, until } from '../integration/client.ts';
import { chromiumPath } from './global-setup.ts';

export { api, createTicket, endpoints, tokenFor, uniqueEmail, until } from '../integration/client.ts';

/** Why this machine skips the browser tests ('' when they run): use with describe.skipIf. */
export const skipReason = inject('e2eSkip');

export const screenshotDir = resolve(import.meta.dirname, 'screenshots');

/** How long a user-visible effect may take on a loaded 2-core machine. */
export const UI_TIMEOUT = 20_000;
/** The queue refreshes itself every 15 s (dashboard/src/pages/queue.tsx): one poll, plus mail intake, plus slack. */
export const QUEUE_TIMEOUT = 40_000;

/** Launches Debian's Chromium for one test file; closed after it. */
export function useBrowser(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    if (skipReason) return;
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-dev-shm-usage'],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('the browser did not start');
    return browser;
  };
}

export interface Session {
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors seen so far: a test fails if any appear. */
  errors: string[];
}

/** A fresh browser profile (own storage, own language) with one page. */
export async function openSession(browser: Browser, opts: { locale?: string } = {}): Promise<Session> {
  const context = await browser.newContext({ locale: opts.locale ?? 'en-US', viewport: { width: 1280, height: 860 }, timezoneId: 'America/Sao_Paulo' });
  context.setDefaultTimeout(UI_TIMEOUT);
  context.setDefaultNavigationTimeout(UI_TIMEOUT);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  return { context, page, errors };
}

/**
 * Runs one flow in a fresh session: a failure leaves a screenshot of the page
 * as it was (screenshots/FAILED-<name>.png), and any uncaught page error fails
 * the flow.
 */
export async function inSession(browser: Browser, name: string, flow: (s: Session) => Promise<void>, opts: { locale?: string } = {}) {
  const session = await openSession(browser, opts);
  try {
    await flow(session);
    if (session.errors.length) throw new Error(`uncaught errors in the page: ${session.errors.join('; ')}`);
  } catch (err) {
    await screenshot(session.page, `FAILED-${name}`).catch(() => undefined);
    throw err;
  } finally {
    await session.context.close();
  }
}

export function agent(email = 'l1@helpdesk.local') {
  const found = endpoints.agents.find((a) => a.email === email);
  if (!found) throw new Error(`no seeded agent ${email}`);
  return found;
}

/** Signs in through the dashboard's own form, as an agent would, and waits for the signed-in shell. */
export async function signIn(page: Page, email = 'l1@helpdesk.local', labels = { email: 'Email', password: 'Password', submit: 'Sign in', signOut: 'Sign out' }) {
  const { password } = agent(email);
  if (!page.url().startsWith(endpoints.dashboardUrl)) await page.goto(endpoints.dashboardUrl);
  await page.getByLabel(labels.email, { exact: true }).fill(email);
  await page.getByLabel(labels.password, { exact: true }).fill(password);
  await page.getByRole('button', { name: labels.submit, exact: true }).click();
  await page.getByRole('banner').getByRole('button', { name: labels.signOut }).waitFor();
}

/**
 * Repeats a user's action (search again, reload) until `target` shows: for
 * what the lifecycle writes a moment after a ticket opens (search words,
 * report counts), as a person would try again.
 */
export async function retryUntilVisible(target: Locator, again: () => Promise<unknown>, timeoutMs = UI_TIMEOUT) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await again();
    try {
      await target.waitFor({ timeout: Math.max(1, Math.min(2_000, deadline - Date.now())) });
      return;
    } catch (err) {
      if (Date.now() >= deadline) throw err;
    }
  }
}

/** Saves a full-page screenshot of a main screen, for people to look at. */
export async function screenshot(page: Page, name: string) {
  await mkdir(screenshotDir, { recursive: true });
  // Countdowns and the caret are the only things that move.
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true, caret: 'hide', animations: 'disabled' });
}

const transport = () => nodemailer.createTransport({ host: '127.0.0.1', port: endpoints.smtpPort, secure: false, ignoreTLS: true });

/** A customer's mail to the support address, through local mode's SMTP gateway. */
export async function mailSupport(mail: { from: string; subject: string; text: string; html?: string }) {
  const t = transport();
  try {
    await t.sendMail({ to: endpoints.supportAddress, ...mail });
  } finally {
    t.close();
  }
}

export interface OutboxMail {
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
}

/** What the local SES outbox holds for one address. */
export async function outboxFor(email: string): Promise<OutboxMail[]> {
  const { emails } = (await (await fetch(`${endpoints.outboxUrl}/store`)).json()) as { emails: OutboxMail[] };
  return emails.filter((m) => m.destination.to.some((to) => to.toLowerCase().includes(email.toLowerCase())));
}

/** The tickets of one requester, newest first, as the API has them. */
export async function ticketsOf(email: string): Promise<any[]> {
  const res = await api('GET', `/customers/${encodeURIComponent(email)}/tickets`, { token: await tokenFor('l1@helpdesk.local') });
  return (res.body?.items ?? []) as any[];
}

/** Waits for the ticket a customer's mail (or form) opened. */
export const ticketFrom = (email: string, timeoutMs = UI_TIMEOUT) => until(`a ticket from ${email}`, async () => (await ticketsOf(email))[0], timeoutMs);

export async function getTicket(id: string): Promise<any> {
  const res = await api('GET', `/tickets/${id}`, { token: await tokenFor('l1@helpdesk.local') });
  if (res.status !== 200) throw new Error(`GET /tickets/${id}: ${res.status} ${res.text}`);
  return res.body.ticket;
}

/** An agent's change through the API at the version just read (the lifecycle may write in between: then again). */
export async function patchTicket(id: string, change: Record<string, unknown>, email = 'l2@helpdesk.local') {
  for (let attempt = 0; ; attempt++) {
    const ticket = await getTicket(id);
    const res = await api('PATCH', `/tickets/${id}`, { token: await tokenFor(email), body: { ...change, version: ticket.version } });
    if (res.status === 200) return res.body;
    if (res.status !== 409 || attempt >= 5) throw new Error(`PATCH /tickets/${id}: ${res.status} ${res.text}`);
  }
}
