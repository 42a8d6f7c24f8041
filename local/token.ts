/**
 * `npm run token -- <agent-email>`: signs in a seeded agent against the running
 * local user pool and prints a bearer token as the last line, for curl.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const home = resolve(process.env.HELPDESK_HOME ?? join(root, '.helpdesk'));
const email = (process.argv[2] ?? '').trim().toLowerCase();

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

let endpoints: { auth: { url: string; clientId: string }; agents: { email: string; password?: string }[] };
try {
  endpoints = JSON.parse(await readFile(join(home, 'endpoints.json'), 'utf8'));
} catch {
  fail(`No ${join(home, 'endpoints.json')}: start local mode first with "npm start".`);
}
const agent = endpoints.agents.find((a) => a.email === email);
if (!agent) fail(`Usage: npm run token -- <agent-email>\nSeeded agents: ${endpoints.agents.map((a) => a.email).join(', ')}`);
// The pool keeps only password hashes: a demo agent who chose their own password signs in with it, not here.
if (!agent.password) fail(`${agent.email} has chosen their own password, which local mode does not keep; sign in with it in the dashboard.`);

let res: Response;
try {
  res = await fetch(endpoints.auth.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth' },
    body: JSON.stringify({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: endpoints.auth.clientId, AuthParameters: { USERNAME: agent.email, PASSWORD: agent.password } }),
  });
} catch {
  fail(`Local mode is not answering at ${endpoints.auth.url}: is "npm start" running?`);
}
const body = (await res.json()) as { AuthenticationResult?: { IdToken: string }; message?: string };
if (!res.ok || !body.AuthenticationResult) fail(`Sign-in failed: ${body.message ?? res.status}`);
console.log(body.AuthenticationResult.IdToken);
