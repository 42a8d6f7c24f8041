/**
 * The manifest is what a function gets, locally as in AWS: local mode runs each
 * function in a worker whose environment is exactly what its manifest needs bring
 * (local/function-host.ts). So a need missing from the manifest fails locally, at the
 * function's cold start, as it would in AWS; here, CreateUpload without its bucket.
 * (The synth half, the IAM statement that goes with the need, is in tests/infra.)
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functions, type FunctionDefinition } from '../../lib/definitions/functions.ts';
import { endpoints, tokenFor, uniqueEmail } from './client.ts';
import { signInAs, startLocalMode, type LocalMode } from './local-mode.ts';

const upload = { filename: 'notes.txt', contentType: 'text/plain', size: 12 };

/** Opens a ticket and asks for an upload URL for it, on the API at `apiUrl`. */
async function askUpload(apiUrl: string, token: string) {
  const call = async (method: string, path: string, body: unknown) => {
    const res = await fetch(apiUrl + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, text, body: text ? JSON.parse(text) : undefined };
  };
  const ticket = await call('POST', '/tickets', { requester: { email: uniqueEmail('needs') }, subject: 'Needs check', body: 'x', channel: 'phone' });
  expect(ticket.status, ticket.text).toBe(201);
  return call('POST', `/tickets/${ticket.body.id}/attachments`, upload);
}

describe('the manifest decides what a function gets', () => {
  it("with the project's manifest, CreateUpload answers with a presigned URL", async () => {
    const res = await askUpload(endpoints.apiUrl, await tokenFor('l1@helpdesk.local'));
    expect(res.status, res.text).toBe(201);
    expect(res.body.uploadUrl).toMatch(/^http/);
  });

  describe('with a copy of the manifest where CreateUpload lost its bucket', () => {
    let dir: string;
    let local: LocalMode | undefined;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'helpdesk-manifest-'));
      const copy = (JSON.parse(JSON.stringify(functions)) as FunctionDefinition[]).map((fn) => {
        if (fn.name !== 'CreateUpload') return fn;
        const { bucket: _bucket, ...needs } = fn.needs;
        return { ...fn, needs };
      });
      expect(copy.find((fn) => fn.name === 'CreateUpload')!.needs).not.toHaveProperty('bucket');
      await writeFile(join(dir, 'manifest.json'), JSON.stringify(copy));
      local = await startLocalMode({ extraArgs: ['--manifest', join(dir, 'manifest.json')] });
    });
    afterAll(async () => {
      await local?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    it('fails at its cold start, as API Gateway answers a function that cannot start, and says which variable is missing', async () => {
      const token = await signInAs(local!.endpoints, 'l1@helpdesk.local');
      const res = await askUpload(local!.endpoints.apiUrl, token);
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ message: 'Internal Server Error' });
      expect(local!.output()).toMatch(/CreateUpload[^\n]*MAIL_BUCKET/);
      // Lambda tries the init again at the next invocation; it fails the same way.
      const again = await askUpload(local!.endpoints.apiUrl, token);
      expect(again.status).toBe(500);
      // The other functions are untouched: the ticket routes still answer.
      const list = await fetch(`${local!.endpoints.apiUrl}/tickets`, { headers: { authorization: `Bearer ${token}` } });
      expect(list.status).toBe(200);
    });
  });
});
