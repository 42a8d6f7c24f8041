import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureDashboardBuilt } from '../../local/dashboard-server.ts';

/**
 * The JavaScript budget: what the first page loads (the entry script and every
 * module it preloads) stays under 150 KB gzipped. Heavy pages (reports, the
 * ticket view with DOMPurify) load on first visit and are not counted, but
 * must stay out of the first load.
 */
const BUDGET = 150 * 1024;
let distDir: string;
let html: string;

beforeAll(async () => {
  // Builds only when dist is missing or older than the sources.
  ({ distDir } = await ensureDashboardBuilt());
  html = await readFile(join(distDir, 'index.html'), 'utf8');
}, 180_000);

/** Scripts index.html loads: module entries and modulepreload links, same-origin only. */
function initialScripts(page: string): string[] {
  const srcs = [...page.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]!);
  const preloads = [...page.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"/g)].map((m) => m[1]!);
  return [...new Set([...srcs, ...preloads])];
}

describe('dashboard bundle budget', () => {
  it('loads under 150 KB of gzipped JavaScript on the first page', async () => {
    const scripts = initialScripts(html);
    expect(scripts.length).toBeGreaterThan(0);
    let total = 0;
    const sizes: string[] = [];
    for (const src of scripts) {
      expect(src, 'scripts are served from the app itself').toMatch(/^\/assets\//);
      const gz = gzipSync(await readFile(join(distDir, src))).length;
      total += gz;
      sizes.push(`${src}: ${(gz / 1024).toFixed(1)} KB`);
    }
    console.log(`first-load JavaScript, gzipped: ${(total / 1024).toFixed(1)} KB of ${BUDGET / 1024} KB\n  ${sizes.join('\n  ')}`);
    expect(total).toBeLessThan(BUDGET);
  });

  it('keeps the reports page and the ticket view out of the first load', () => {
    const first = initialScripts(html).join(' ');
    expect(first).not.toMatch(/reports/);
    expect(first).not.toMatch(/ticket/);
  });
});
