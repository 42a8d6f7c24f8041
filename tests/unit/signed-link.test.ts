import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeReplyToken } from '../../functions/core/mail/reply-token.ts';
import { MAX_TOKEN_LENGTH, signLink, verifyLink, type LinkClaims } from '../../functions/core/signed-link.ts';

const secret = 'test-link-secret-0123456789abcdefghij';
const otherSecret = 'another-link-secret-0123456789abcdef';
const ticketId = '01HX7Z8K9QPRSTVWXYZ0123456';
const now = 1_750_000_000;
const survey: LinkClaims = { purpose: 'survey', ticketId, exp: now + 30 * 86_400, data: { r: '4' } };

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
/** A token signed exactly as signLink signs, around any payload text: for payloads signLink would never write. */
const signRaw = (payloadJson: string, key = secret) => {
  const encoded = b64(payloadJson);
  return `${encoded}.${createHmac('sha256', key).update('helpdesk/signed-link/v1\n' + encoded).digest('base64url')}`;
};

describe('signLink / verifyLink', () => {
  it('round-trips the claims', () => {
    const token = signLink(survey, secret);
    expect(verifyLink(token, 'survey', secret, now)).toEqual({ ok: true, claims: survey });
    const status: LinkClaims = { purpose: 'status', ticketId, exp: now + 60 };
    const check = verifyLink(signLink(status, secret), 'status', secret, now);
    expect(check).toEqual({ ok: true, claims: status });
    expect(check.ok && 'data' in check.claims).toBe(false);
  });

  it('is compact and URL-safe, with no padding', () => {
    const token = signLink(survey, secret);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(token.length).toBeLessThan(200);
    expect(encodeURIComponent(token)).toBe(token);
    expect(signLink(survey, secret)).toBe(token);
  });

  it('rejects a tampered payload', () => {
    const token = signLink(survey, secret);
    const [, sig] = token.split('.');
    const forged = `${b64(JSON.stringify({ p: 'survey', t: ticketId, e: now + 30 * 86_400, d: { r: '5' } }))}.${sig}`;
    expect(verifyLink(forged, 'survey', secret, now)).toEqual({ ok: false, reason: 'bad_signature' });
    const otherTicket = `${b64(JSON.stringify({ p: 'survey', t: '01HX7Z8K9QPRSTVWXYZ0123457', e: now + 30 * 86_400, d: { r: '4' } }))}.${sig}`;
    expect(verifyLink(otherTicket, 'survey', secret, now)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('rejects a tampered signature', () => {
    const token = signLink(survey, secret);
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    expect(verifyLink(token.slice(0, -1) + last, 'survey', secret, now)).toEqual({ ok: false, reason: 'bad_signature' });
    const [payload] = token.split('.');
    expect(verifyLink(`${payload}.${'A'.repeat(43)}`, 'survey', secret, now)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('rejects truncated tokens', () => {
    const token = signLink(survey, secret);
    const [payload = ''] = token.split('.');
    for (const t of [token.slice(0, -1), token.slice(0, -10), payload, `${payload}.`, token.slice(1), '', '.', token + 'A']) {
      expect(verifyLink(t, 'survey', secret, now)).toEqual({ ok: false, reason: expect.stringMatching(/^(malformed|bad_signature)$/) });
    }
    expect(verifyLink(token.slice(0, -1), 'survey', secret, now)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('rejects a token signed with another secret', () => {
    expect(verifyLink(signLink(survey, otherSecret), 'survey', secret, now)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('a status link is not a survey link, and the other way round', () => {
    const status = signLink({ purpose: 'status', ticketId, exp: now + 60 }, secret);
    expect(verifyLink(status, 'survey', secret, now)).toEqual({ ok: false, reason: 'wrong_purpose' });
    expect(verifyLink(signLink(survey, secret), 'status', secret, now)).toEqual({ ok: false, reason: 'wrong_purpose' });
  });

  it('rejects an expired link', () => {
    const token = signLink({ ...survey, exp: now - 1 }, secret);
    expect(verifyLink(token, 'survey', secret, now)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyLink(signLink({ ...survey, exp: 0 }, secret), 'survey', secret, now)).toEqual({ ok: false, reason: 'expired' });
  });

  it('exp is the last valid second: valid at exp, expired at exp + 1', () => {
    const token = signLink({ ...survey, exp: now }, secret);
    expect(verifyLink(token, 'survey', secret, now - 1).ok).toBe(true);
    expect(verifyLink(token, 'survey', secret, now).ok).toBe(true);
    expect(verifyLink(token, 'survey', secret, now + 0.999).ok).toBe(false);
    expect(verifyLink(token, 'survey', secret, now + 1)).toEqual({ ok: false, reason: 'expired' });
  });

  it('trusts the expiry only after the signature: a forged far-future exp is a bad signature', () => {
    const token = signLink({ ...survey, exp: now - 1 }, secret);
    const [, sig] = token.split('.');
    const forged = `${b64(JSON.stringify({ p: 'survey', t: ticketId, e: now + 10_000, d: { r: '4' } }))}.${sig}`;
    expect(verifyLink(forged, 'survey', secret, now)).toEqual({ ok: false, reason: 'bad_signature' });
    // Another secret's expired link is a bad signature, not "expired": nothing in it is believed.
    expect(verifyLink(signLink({ ...survey, exp: now - 1 }, otherSecret), 'survey', secret, now)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('rejects an oversize token as malformed without reading it', () => {
    const token = signLink(survey, secret);
    const huge = `${'A'.repeat(MAX_TOKEN_LENGTH)}.${token.split('.')[1]}`;
    expect(verifyLink(huge, 'survey', secret, now)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyLink('x'.repeat(1_000_000), 'survey', secret, now)).toEqual({ ok: false, reason: 'malformed' });
    // A validly signed payload that only just exceeds the limit is refused too.
    const big = signRaw(JSON.stringify({ p: 'survey', t: ticketId, e: now + 60, d: { x: 'y'.repeat(800) } }));
    expect(big.length).toBeGreaterThan(MAX_TOKEN_LENGTH);
    expect(verifyLink(big, 'survey', secret, now)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses to sign a link that verifyLink would refuse as oversize', () => {
    expect(() => signLink({ ...survey, data: { x: 'y'.repeat(1000) } }, secret)).toThrow(RangeError);
  });

  it('rejects a non-JSON payload: malformed when signed, a bad signature otherwise', () => {
    expect(verifyLink(signRaw('not json'), 'survey', secret, now)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyLink(`${b64('not json')}.${'A'.repeat(43)}`, 'survey', secret, now)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyLink('not a token at all', 'survey', secret, now)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyLink('a+b/c=.d', 'survey', secret, now)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('parses signed payloads defensively: wrong types are malformed', () => {
    const good = { p: 'survey', t: ticketId, e: now + 60 };
    const bad: unknown[] = [
      null,
      42,
      'survey',
      [good],
      { ...good, p: 'admin' },
      { ...good, p: 1 },
      { ...good, t: 7 },
      { ...good, t: '' },
      { ...good, t: 'x'.repeat(129) },
      { ...good, e: String(now + 60) },
      { ...good, e: now + 60.5 },
      { ...good, e: -1 },
      { ...good, e: 1e300 },
      { ...good, d: 'r=4' },
      { ...good, d: ['4'] },
      { ...good, d: null },
      { ...good, d: { r: 4 } },
      { ...good, d: { r: { nested: '4' } } },
      { ...good, extra: true },
      { p: 'survey', t: ticketId },
    ];
    for (const payload of bad) {
      expect(verifyLink(signRaw(JSON.stringify(payload)), 'survey', secret, now), JSON.stringify(payload)).toEqual({ ok: false, reason: 'malformed' });
    }
    expect(verifyLink(signRaw(JSON.stringify(good)), 'survey', secret, now).ok).toBe(true);
  });

  it('keeps a __proto__ data key as plain data', () => {
    const check = verifyLink(signRaw(`{"p":"survey","t":"${ticketId}","e":${now + 60},"d":{"__proto__":"x","r":"4"}}`), 'survey', secret, now);
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    expect(Object.getPrototypeOf(check.claims.data)).toBe(Object.prototype);
    expect(Object.keys(check.claims.data ?? {})).toEqual(['__proto__', 'r']);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('is domain-separated from other MACs made with the same secret', () => {
    // A plain HMAC of the payload with the same key is not a link signature.
    const encoded = signLink(survey, secret).split('.')[0] ?? '';
    const plain = `${encoded}.${createHmac('sha256', secret).update(encoded).digest('base64url')}`;
    expect(verifyLink(plain, 'survey', secret, now)).toEqual({ ok: false, reason: 'bad_signature' });
    // The reply token shares a shape with nothing here.
    expect(verifyLink(makeReplyToken(ticketId, secret), 'survey', secret, now)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('throws on a short secret, signing or verifying', () => {
    const short = 'x'.repeat(31);
    expect(() => signLink(survey, short)).toThrow(/at least 32 characters/);
    expect(() => verifyLink(signLink(survey, secret), 'survey', short, now)).toThrow(/at least 32 characters/);
    expect(() => signLink(survey, '')).toThrow(/at least 32 characters/);
    expect(() => signLink(survey, 'x'.repeat(32))).not.toThrow();
  });

  it('refuses to sign malformed claims', () => {
    expect(() => signLink({ ...survey, ticketId: '' }, secret)).toThrow(TypeError);
    expect(() => signLink({ ...survey, exp: 1.5 }, secret)).toThrow(TypeError);
    expect(() => signLink({ ...survey, exp: Number.NaN }, secret)).toThrow(TypeError);
    expect(() => signLink({ ...survey, purpose: 'admin' as never }, secret)).toThrow(TypeError);
    expect(() => signLink({ ...survey, data: { r: 4 as never } }, secret)).toThrow(TypeError);
  });

  it('any single-character change to a valid token fails verification', () => {
    const alphabet = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ é'];
    const claims = fc.record({
      purpose: fc.constantFrom('survey' as const, 'status' as const),
      ticketId: fc.string({ minLength: 1, maxLength: 40 }),
      exp: fc.integer({ min: now, max: now + 10 * 365 * 86_400 }),
      data: fc.option(fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 10 }), { maxKeys: 3 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(claims, fc.nat(), fc.constantFrom(...alphabet), fc.constantFrom('replace', 'insert', 'delete'), (c, at, ch, op) => {
        const link: LinkClaims = c.data === undefined ? { purpose: c.purpose, ticketId: c.ticketId, exp: c.exp } : { ...c, data: c.data };
        const token = signLink(link, secret);
        expect(verifyLink(token, link.purpose, secret, now)).toEqual({ ok: true, claims: link });
        const i = at % token.length;
        const mutated =
          op === 'replace' ? token.slice(0, i) + ch + token.slice(i + 1) : op === 'insert' ? token.slice(0, i) + ch + token.slice(i) : token.slice(0, i) + token.slice(i + 1);
        fc.pre(mutated !== token);
        expect(verifyLink(mutated, link.purpose, secret, now).ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('flipping any one character of one token fails, exhaustively', () => {
    const token = signLink(survey, secret);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let i = 0; i < token.length; i++) {
      for (const ch of alphabet) {
        if (ch === token[i]) continue;
        const mutated = token.slice(0, i) + ch + token.slice(i + 1);
        expect(verifyLink(mutated, 'survey', secret, now).ok).toBe(false);
      }
    }
  });
});
