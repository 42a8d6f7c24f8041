import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createTicket, endpoints, inSession, screenshot, signIn, skipReason, uniqueEmail, UI_TIMEOUT, useBrowser } from './browser.ts';

// Browser globals, used inside page.evaluate (the project's typecheck has no DOM library).
declare const document: any, getComputedStyle: any;

/** Message keys that leaked to the screen untranslated (e.g. "queue.title"). */
const RAW_KEY = /\b(?:boot|common|error|signIn|shell|help|shortcut|queue|ticket|conflict|sla|conversation|composer|action|audit|field|status|priority|channel|category|customer|search|reports|notFound)\.[a-zA-Z_]+\b/;

/** The outline the focused element draws, as the browser computes it. */
const focusOutline = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    const style = el ? getComputedStyle(el) : undefined;
    return { tag: el?.tagName.toLowerCase(), id: el?.id, style: style?.outlineStyle, width: parseFloat(style?.outlineWidth ?? '0'), visible: !!el?.matches(':focus-visible') };
  });

describe.skipIf(skipReason)('keyboard and languages', () => {
  const browser = useBrowser();

  it('works from the keyboard: "?" help, j/k/o in the queue, r and u in a ticket, with visible focus', async () => {
    const tag = randomUUID().slice(0, 6);
    // Two urgent tickets, so the queue (by priority, then due time) has rows to move through at the top.
    for (const n of [1, 2]) await createTicket({ requester: { email: uniqueEmail('keys') }, subject: `Keyboard ${tag} ${n}`, priority: 'urgent' });

    await inSession(browser(), 'keyboard', async ({ page }) => {
      // Tab moves between the sign-in fields, and the focused field shows it.
      await page.goto(endpoints.dashboardUrl);
      await page.getByLabel('Email', { exact: true }).focus();
      await page.keyboard.press('Tab');
      const onPassword = await focusOutline(page);
      expect(onPassword).toMatchObject({ id: 'password', style: 'solid', visible: true });
      expect(onPassword.width).toBeGreaterThanOrEqual(2);

      await signIn(page);
      await page.getByText(/tickets · updated/).waitFor();
      await page.getByRole('link', { name: `Keyboard ${tag} 2` }).waitFor();

      // "?" opens the shortcut help; Esc closes it.
      await page.keyboard.press('?');
      const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
      await help.waitFor();
      await help.getByText('Next ticket').waitFor();
      await help.getByText('Open the selected ticket').waitFor();
      await screenshot(page, '11-shortcuts');
      await page.keyboard.press('Escape');
      await help.waitFor({ state: 'hidden' });

      // j moves down a row, k back up, each with a visible focus ring; o opens the selected one.
      const links = page.getByRole('table').getByRole('link');
      const first = await links.nth(0).innerText();
      const second = await links.nth(1).innerText();
      await page.keyboard.press('j');
      await expect.poll(() => page.evaluate(() => document.activeElement?.textContent), { timeout: UI_TIMEOUT }).toBe(second);
      const ring = await focusOutline(page);
      expect(ring).toMatchObject({ tag: 'a', style: 'solid', visible: true });
      expect(ring.width).toBeGreaterThanOrEqual(2);
      await page.keyboard.press('k');
      await expect.poll(() => page.evaluate(() => document.activeElement?.textContent), { timeout: UI_TIMEOUT }).toBe(first);
      await page.keyboard.press('o');
      await page.getByRole('heading', { level: 1, name: first }).waitFor();

      // r goes to the reply box; u goes back to the queue.
      await page.getByRole('textbox', { name: /^Reply to / }).waitFor();
      await page.keyboard.press('r');
      await expect.poll(() => page.evaluate(() => document.activeElement?.id), { timeout: UI_TIMEOUT }).toBe('composer-body');
      // Typing in the box is typing, not shortcuts.
      await page.keyboard.type('u');
      expect(await page.getByRole('textbox', { name: /^Reply to / }).inputValue()).toBe('u');
      await page.getByRole('textbox', { name: /^Reply to / }).fill('');
      await page.evaluate(() => document.activeElement?.blur());
      await page.keyboard.press('u');
      await page.getByRole('heading', { level: 1, name: 'Queues' }).waitFor();
    });
  });

  it('switches to Brazilian Portuguese, and follows the browser language by default', async () => {
    // An English browser: the agent picks Portuguese on the sign-in page.
    await inSession(browser(), 'pt-BR-switch', async ({ page }) => {
      await page.goto(endpoints.dashboardUrl);
      await page.getByRole('heading', { level: 1, name: 'Sign in to the help desk' }).waitFor();
      await page.getByLabel('Language').selectOption({ label: 'Português (Brasil)' });
      await page.getByRole('heading', { level: 1, name: 'Entrar na central de atendimento' }).waitFor();
      expect(await page.getAttribute('html', 'lang')).toBe('pt-BR');
      await signIn(page, 'l1@helpdesk.local', { email: 'E-mail', password: 'Senha', submit: 'Entrar', signOut: 'Sair' });
      await page.getByRole('heading', { level: 1, name: 'Filas' }).waitFor();
      await page.getByText(/chamados · atualizado às/).waitFor();
      const nav = page.getByRole('navigation', { name: 'Principal' });
      await nav.getByRole('link', { name: 'Relatórios' }).waitFor();
      await page.getByRole('navigation', { name: 'Visões da fila' }).getByRole('link', { name: 'Sem responsável' }).waitFor();
      expect(await page.locator('body').innerText()).not.toMatch(RAW_KEY);
      await screenshot(page, '12-queue-pt-BR');

      // A ticket reads in Portuguese too.
      await page.getByRole('table').getByRole('link').first().click();
      await page.getByRole('region', { name: 'Conversa' }).waitFor();
      await page.getByRole('button', { name: 'Enviar resposta' }).waitFor();
      await page.getByRole('group', { name: 'Mudar a situação' }).getByRole('button', { name: 'Resolver' }).waitFor();
      expect(await page.locator('body').innerText()).not.toMatch(RAW_KEY);

      // The choice is remembered: a reload stays in Portuguese; switching back works.
      await page.reload();
      await page.getByRole('region', { name: 'Conversa' }).waitFor();
      await page.getByRole('banner').getByLabel('Idioma').selectOption({ label: 'English' });
      await page.getByRole('region', { name: 'Conversation' }).waitFor();
      await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).waitFor();
    });

    // A Portuguese browser gets Portuguese from the start.
    await inSession(
      browser(),
      'pt-BR-default',
      async ({ page }) => {
        await page.goto(endpoints.dashboardUrl);
        await page.getByRole('heading', { level: 1, name: 'Entrar na central de atendimento' }).waitFor();
        await page.getByLabel('Senha', { exact: true }).waitFor();
        await page.getByRole('button', { name: 'Entrar', exact: true }).waitFor();
        expect(await page.locator('body').innerText()).not.toMatch(RAW_KEY);
      },
      { locale: 'pt-BR' },
    );
  });
});
