import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomInt, randomUUID } from 'node:crypto';
import { startLocalMode, type LocalMode } from './local-mode.ts';

/**
 * The web form's throttle comes from the policy (`webForm` in config/policy.json,
 * here through `npm start -- --policy`), not from the code: a desk configured
 * for 8 an hour per source IP takes 8 from one office, where the old fixed
 * limit stopped at 5, and its own per-address limit holds whatever the IP.
 * Its own local-mode instance, so the limits touch no other test.
 */
const policy = { webForm: { perIpPerHour: 8, perAddressPerHour: 2 } };
let local: LocalMode;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'helpdesk-throttle-'));
  await writeFile(join(dir, 'policy.json'), JSON.stringify(policy));
  local = await startLocalMode({ extraArgs: ['--policy', join(dir, 'policy.json')] });
});

afterAll(async () => {
  await local?.stop();
  await rm(dir, { recursive: true, force: true });
});

const randomIp = () => `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
const email = () => `office-${randomUUID().slice(0, 8)}@example.com`;

/** Posts the form from a chosen loopback source address (the handler sees it as the source IP). */
function submit(fields: { email: string; subject?: string }, ip: string): Promise<{ status: number; text: string }> {
  const body = new URLSearchParams({ name: 'Ana', subject: 'A impressora parou', message: 'Não imprime.', website: '', lang: 'en', ...fields }).toString();
  const url = new URL(local.endpoints.apiUrl + '/help');
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress: ip, agent: false, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The throttle counts per clock hour: a run that straddles the hour is run again. */
async function withinOneHour(body: () => Promise<void>) {
  for (let attempt = 0; ; attempt++) {
    const hour = Math.floor(Date.now() / 3_600_000);
    try {
      return await body();
    } catch (err) {
      if (attempt > 0 || Math.floor(Date.now() / 3_600_000) === hour) throw err;
    }
  }
}

describe('the web form throttle is configuration', () => {
  it('a configured 8 an hour per IP lets 8 people behind one IP through, and stops the 9th with a 429 page', async () => {
    await withinOneHour(async () => {
      const office = randomIp();
      const statuses = [];
      for (let i = 0; i < 8; i++) statuses.push((await submit({ email: email() }, office)).status);
      expect(statuses).toEqual(Array(8).fill(200));
      const ninth = await submit({ email: email() }, office);
      expect(ninth.status).toBe(429);
      expect(ninth.text).toContain('Too many requests');
      // Another IP is not held up.
      expect((await submit({ email: email() }, randomIp())).status).toBe(200);
    });
  });

  it('a configured 2 an hour per address holds whatever the source IP', async () => {
    await withinOneHour(async () => {
      const address = email();
      expect((await submit({ email: address, subject: 'Pedido 1' }, randomIp())).status).toBe(200);
      expect((await submit({ email: address, subject: 'Pedido 2' }, randomIp())).status).toBe(200);
      expect((await submit({ email: address, subject: 'Pedido 3' }, randomIp())).status).toBe(429);
    });
  });
});
