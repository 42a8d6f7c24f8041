import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { api, endpoints, tokenFor, until } from './client.ts';

/**
 * The README's mail examples, run as a reader would: every ```python block of README.md goes to
 * python3 unchanged but for the SMTP port, which the README tells the reader to replace with
 * `smtpPort` from endpoints.json (4315 is the default). Each must open a ticket.
 */
const README_SMTP_PORT = '4315';

interface Snippet {
  code: string;
  from: string;
  subject: string;
}

async function readmeSnippets(): Promise<Snippet[]> {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  return [...readme.matchAll(/^```python\n([\s\S]*?)^```$/gm)].map((m) => {
    const code = m[1]!;
    // What the snippet sends, read from the snippet itself, so the test follows the README.
    const from = /mail\["From"\]\s*=\s*"(?:[^"<]*<)?([^">]+)>?"/.exec(code)?.[1];
    const subject = /mail\["Subject"\]\s*=\s*"([^"]+)"/.exec(code)?.[1];
    if (!from || !subject) throw new Error(`A README python snippet whose sender or subject this test cannot read:\n${code}`);
    return { code, from, subject };
  });
}

const work = await mkdtemp(join(tmpdir(), 'readme-mail-'));
afterAll(() => rm(work, { recursive: true, force: true }));

/** Runs a script with python3; resolves with its exit code and what it printed. */
function python(file: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [file], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

async function ticketsOf(email: string): Promise<any[]> {
  // An admin sees every department, wherever triage routes the mail.
  const res = await api('GET', `/customers/${encodeURIComponent(email)}/tickets?limit=100`, { token: await tokenFor('admin@helpdesk.local') });
  expect(res.status).toBe(200);
  return res.body.items;
}

describe("the README's Python mail examples", () => {
  it('there are two, and each sends to the default SMTP port', async () => {
    const snippets = await readmeSnippets();
    expect(snippets).toHaveLength(2);
    for (const s of snippets) expect(s.code).toContain(`"127.0.0.1", ${README_SMTP_PORT}`);
  });

  it('each opens a ticket with its subject when run with python3 against local mode', async () => {
    const snippets = await readmeSnippets();
    for (const [i, s] of snippets.entries()) {
      const before = (await ticketsOf(s.from)).filter((t) => t.subject === s.subject).length;
      const file = join(work, `snippet-${i}.py`);
      await writeFile(file, s.code.replaceAll(`"127.0.0.1", ${README_SMTP_PORT}`, `"127.0.0.1", ${endpoints.smtpPort}`));
      const run = await python(file);
      expect(run.code, run.output).toBe(0);
      const ticket = await until(`a ticket "${s.subject}" for ${s.from}`, async () => {
        const matching = (await ticketsOf(s.from)).filter((t) => t.subject === s.subject);
        return matching.length > before ? matching[0] : undefined;
      });
      expect(ticket).toMatchObject({ channel: 'email', subject: s.subject, requester: { email: s.from } });
      // The lifecycle example's mail is "triaged as urgent", the README says.
      if (/urgente/i.test(s.subject)) expect(ticket.priority).toBe('urgent');
    }
    expect(snippets.some((s) => /urgente/i.test(s.subject))).toBe(true);
  });
});
