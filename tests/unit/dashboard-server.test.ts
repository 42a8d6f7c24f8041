import { mkdtemp, mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dashboardIsStale, localDashboardConfig, parseRequestPath } from '../../local/dashboard-server.ts';

describe('local dashboard server: paths', () => {
  it('decodes a path into segments', () => {
    expect(parseRequestPath('/')).toEqual({ ok: true, segments: [] });
    expect(parseRequestPath('/assets/index-abc.js?v=1')).toEqual({ ok: true, segments: ['assets', 'index-abc.js'] });
    expect(parseRequestPath('/tickets/01J%20X#frag')).toEqual({ ok: true, segments: ['tickets', '01J X'] });
    expect(parseRequestPath('//./assets//a.js')).toEqual({ ok: true, segments: ['assets', 'a.js'] });
  });

  it('refuses every spelling of a step outside, and undecodable paths', () => {
    for (const p of ['/../x', '/a/../../x', '/%2e%2e/x', '/..%2fx', '/a/%2E%2E%2F%2E%2E%2Fx', '/..%5cx', '/a\\b', '/%00', '/%E0%A4%A', 'relative', '*']) {
      expect(parseRequestPath(p), p).toEqual({ ok: false, status: 400 });
    }
  });

  it('writes config.json in the shape the stack writes', () => {
    expect(localDashboardConfig({ apiUrl: 'http://127.0.0.1:1', authUrl: 'http://127.0.0.1:2', clientId: 'c', region: 'us-east-1' })).toEqual({
      apiUrl: 'http://127.0.0.1:1',
      auth: { url: 'http://127.0.0.1:2/', clientId: 'c', region: 'us-east-1' },
      defaultLanguage: 'en',
    });
  });
});

describe('local dashboard server: when to build', () => {
  it('builds when dist is missing or older than any source', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dashboard-stale-'));
    try {
      await mkdir(join(dir, 'src', 'pages'), { recursive: true });
      await writeFile(join(dir, 'src', 'pages', 'a.tsx'), 'x');
      await writeFile(join(dir, 'index.html'), 'x');
      expect(await dashboardIsStale(dir)).toBe(true);
      await mkdir(join(dir, 'dist'));
      await writeFile(join(dir, 'dist', 'index.html'), 'built');
      const old = new Date(Date.now() - 60_000);
      for (const f of ['src/pages/a.tsx', 'src/pages', 'src', 'index.html']) await utimes(join(dir, f), old, old);
      expect(await dashboardIsStale(dir)).toBe(false);
      // A source edited after the build (deep in src) makes it stale again.
      await writeFile(join(dir, 'src', 'pages', 'a.tsx'), 'changed');
      const later = new Date(Date.now() + 5_000);
      await utimes(join(dir, 'src', 'pages', 'a.tsx'), later, later);
      expect(await dashboardIsStale(dir)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
