import http from 'node:http';
import type { JSONWebKeySet } from 'jose';

/**
 * Answers for the local user pool over HTTP the way Cognito does: the JWKS and
 * OpenID configuration under the issuer URL, and the user pool's operations as
 * JSON-1.1 POSTs with `X-Amz-Target: AWSCognitoIdentityProviderService.<Op>`,
 * so the same client code (the dashboard, the SDK in the admin routes) works
 * locally and in AWS.
 */
export function authRequestHandler(opts: {
  poolPath: string;
  issuer: string;
  jwks: JSONWebKeySet;
  /** One operation, with the access key id that signed the request (SigV4), if any. */
  cognito: (operation: string, request: unknown, caller: { accessKeyId?: string }) => Promise<{ status: number; body: unknown }>;
}): http.RequestListener {
  const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';
  const MAX_BODY = 16 * 1024;
  return (req, res) => {
    const headers = {
      'access-control-allow-origin': '*',
      'access-control-allow-headers': 'content-type,x-amz-target,x-amz-user-agent',
      'access-control-allow-methods': 'GET,POST',
    };
    const reply = (status: number, body: unknown, type = 'application/json') =>
      res.writeHead(status, { ...headers, 'content-type': type }).end(typeof body === 'string' ? body : JSON.stringify(body));
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'OPTIONS') return res.writeHead(204, headers).end();
    if (req.method === 'GET' && path === `${opts.poolPath}/.well-known/jwks.json`) return reply(200, opts.jwks);
    if (req.method === 'GET' && path === `${opts.poolPath}/.well-known/openid-configuration`) {
      return reply(200, { issuer: opts.issuer, jwks_uri: `${opts.issuer}/.well-known/jwks.json`, id_token_signing_alg_values_supported: ['RS256'] });
    }
    if (req.method !== 'POST' || path !== '/') return reply(404, { message: 'Not Found' });
    const target = String(req.headers['x-amz-target'] ?? '');
    if (!target.startsWith(TARGET_PREFIX)) {
      return reply(400, { __type: 'UnknownOperationException', message: 'Send X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>' }, 'application/x-amz-json-1.1');
    }
    const operation = target.slice(TARGET_PREFIX.length);
    // The SDK signs admin calls (SigV4): "AWS4-HMAC-SHA256 Credential=<key id>/<date>/<region>/cognito-idp/aws4_request, ...".
    const accessKeyId = /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\//.exec(String(req.headers.authorization ?? ''))?.[1];
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_BODY) return reply(413, { __type: 'InvalidParameterException', message: 'Request too large' });
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return reply(400, { __type: 'SerializationException', message: 'Body is not JSON' }, 'application/x-amz-json-1.1');
      }
      opts.cognito(operation, body, accessKeyId ? { accessKeyId } : {}).then(
        (r) => reply(r.status, r.body, 'application/x-amz-json-1.1'),
        () => reply(500, { __type: 'InternalErrorException', message: 'Internal error' }),
      );
    });
  };
}
