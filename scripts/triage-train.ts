/**
 * `npm run triage:train -- FILE.jsonl [--as ADMIN-EMAIL]`: trains the running
 * local desk on a history file, through its admin route
 * (POST /admin/triage/examples), as a deployed desk is trained. Prints the
 * report: bad lines by number, what was stored, and whether the new model was
 * put in use (only if it beat the rules and the model in use on held-out
 * tickets). Exit 0 when the import ran, bad lines or not; 1 when the desk is
 * not running, the file cannot be read or no line was usable.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ImportReport } from '../functions/app/import-triage-examples.ts';
import type { RejectedLine } from '../functions/core/triage-examples.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const home = resolve(process.env.HELPDESK_HOME ?? join(root, '.helpdesk'));
const args = process.argv.slice(2);
const asIndex = args.indexOf('--as');
const as = (asIndex >= 0 ? args[asIndex + 1] : 'admin@helpdesk.local')!.trim().toLowerCase();
const file = args.find((a, i) => !a.startsWith('--') && !(asIndex >= 0 && i === asIndex + 1));

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

if (!file) fail('Usage: npm run triage:train -- FILE.jsonl [--as ADMIN-EMAIL]\nOne past ticket a line: {"subject", "body", "department", "category"?, "priority"?}.');

let text: Buffer;
try {
  text = await readFile(resolve(file));
} catch (err) {
  fail(`Cannot read ${file}: ${(err as Error).message}`);
}

interface Endpoints {
  pid: number;
  apiUrl: string;
  auth: { url: string; clientId: string };
  agents: { email: string; password?: string }[];
}
let endpoints: Endpoints;
try {
  endpoints = JSON.parse(await readFile(join(home, 'endpoints.json'), 'utf8'));
} catch {
  fail(`The local desk is not running (no ${join(home, 'endpoints.json')}): start it with "npm start", then run this again.`);
}
try {
  process.kill(endpoints.pid, 0);
} catch {
  fail(`The local desk is not running (process ${endpoints.pid} of ${home} is gone): start it with "npm start", then run this again.`);
}

const agent = endpoints.agents.find((a) => a.email === as);
if (!agent) fail(`No agent ${as} in this local desk; admins: pass --as with one of ${endpoints.agents.map((a) => a.email).join(', ')}`);
if (!agent.password) fail(`${as} has chosen their own password, which local mode does not keep: pass --as with another admin.`);

async function call(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch {
    fail(`The local desk is not answering at ${url}: is "npm start" running?`);
  }
}

const signIn = await call(endpoints.auth.url, {
  method: 'POST',
  headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth' },
  body: JSON.stringify({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: endpoints.auth.clientId, AuthParameters: { USERNAME: agent.email, PASSWORD: agent.password } }),
});
const session = (await signIn.json()) as { AuthenticationResult?: { IdToken: string }; message?: string };
if (!signIn.ok || !session.AuthenticationResult) fail(`Sign-in as ${as} failed: ${session.message ?? signIn.status}`);

console.log(`Training the local desk at ${endpoints.apiUrl} on ${file} (${text.length} bytes)…`);
const res = await call(`${endpoints.apiUrl}/admin/triage/examples`, {
  method: 'POST',
  headers: { authorization: `Bearer ${session.AuthenticationResult.IdToken}`, 'content-type': 'application/x-ndjson' },
  body: new Uint8Array(text),
});
const answer = (await res.json().catch(() => ({}))) as ImportReport & { error?: { code: string; message: string; details?: { rejected?: ImportReport['rejected'] } } };

const pct = (x: number | null) => (x === null ? '–' : `${Math.round(x * 100)} %`);
function printRejected(r: { total: number; lines: RejectedLine[] } | undefined) {
  if (!r?.total) return;
  console.log(`Rejected lines (skipped):`);
  for (const { line, reason } of r.lines) console.log(`  line ${line}: ${reason}`);
  if (r.total > r.lines.length) console.log(`  … and ${r.total - r.lines.length} more (the first ${r.lines.length} are listed)`);
}

if (!res.ok) {
  printRejected(answer.error?.details?.rejected);
  fail(`The desk refused the file (${res.status}): ${answer.error?.message ?? res.statusText}`);
}

const r = answer;
console.log(`${r.lines} lines read: ${r.accepted} accepted${r.repeated ? ` (${r.repeated} repeating an earlier line, counted once)` : ''}, ${r.rejected.total} rejected.`);
console.log(`Examples stored: ${r.stored.new} new, ${r.stored.already} already there from an earlier import.`);
printRejected(r.rejected);
const m = r.model;
const held = m.heldOut ? `on ${m.heldOut.tickets} held-out tickets, department right: new model ${pct(m.heldOut.model)}, rules ${pct(m.heldOut.rules)}, model in use before ${m.heldOut.inUse === null ? 'none' : pct(m.heldOut.inUse)}` : 'no held-out comparison';
const trained = `trained on ${m.examples.total} examples (${m.examples.file} from the file, ${m.examples.desk} of the desk's own) in ${(m.trainMs / 1000).toFixed(1)} s`;
const why: Record<string, string> = {
  'not-better': 'it did not beat the model in use',
  'not-better-than-rules': 'it did not beat the keyword rules',
  'too-few-examples': 'too few examples to train (at least 20, in two departments or more)',
  'too-few-held-out': 'too few tickets held out to judge it',
  'lost-race': 'another retrain put its model in use first',
};
if (m.published) console.log(`Model ${m.version} is in use: ${held}; ${trained}.`);
else console.log(`No new model put in use (${why[m.reason] ?? m.reason}); ${m.version ? `${held}; ${trained}` : 'nothing trained'}. In use: ${m.inUse ?? 'none (the rules decide)'}.`);
