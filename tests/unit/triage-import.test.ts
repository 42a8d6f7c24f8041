import { describe, expect, it } from 'vitest';
import { importTriageExamples, type ImportDeps } from '../../functions/app/import-triage-examples.ts';
import type { TriageModelPointer } from '../../functions/adapters/triage-model-store.ts';
import { defaultPolicy } from '../../functions/core/policy.ts';
import type { TriageExample } from '../../functions/core/triage-examples.ts';
import { checkImportFile, hostileUnicode, importFileProblem, isTriageImportContentType, triageExampleDigest, triageImportBody, triageImportLimits } from '../../functions/core/triage-import.ts';
import { HttpError, readTextBody } from '../../functions/shared/http.ts';
import type { TriageModel } from '../../functions/core/triage-model.ts';

/**
 * Bringing a history: the file's lines checked one by one (bad ones by number,
 * never fatal), its limits, and the import use case with in-memory stores:
 * stored once however often it is posted, a model published only when it
 * beats the rules on held-out tickets.
 */

const desk = new Set(['it', 'finance', 'support', 'hr', 'facilities']);
const line = (o: unknown) => JSON.stringify(o);

describe('checkImportFile', () => {
  it('keeps the good lines and reports every bad one by its line number with a reason', () => {
    const file = [
      line({ subject: 'Impressora parada', body: 'A impressora do 2º andar não imprime', department: 'it', priority: 'high' }), // 1
      '{"subject": "Fatura", "body": "segunda via", "department": "finance"', // 2: bad JSON
      line({ subject: 'Crachá', body: 'perdi o crachá', department: 'security' }), // 3: not a department of this desk
      line({ subject: 'Sem corpo nem departamento' }), // 4: missing body and department
      line({ subject: '', body: '', department: 'it' }), // 5: no text
      line({ subject: 'Reembolso', body: 'quero meu dinheiro', department: 'finance', priority: 'p1' }), // 6: bad priority
      line({ subject: 'x', body: 'y'.repeat(triageImportLimits.lineBytes), department: 'it' }), // 7: too long
      line({ subject: 'Boleto \u202egnp.exe', body: 'abra o anexo', department: 'finance' }), // 8: bidi override
      '{"subject":"Senha","body":"lone \\ud800 surrogate","department":"it"}', // 9: lone surrogate, escaped
      line({ subject: 'Null\u0000byte', body: 'x', department: 'it' }), // 10: control character
      '["an", "array"]', // 11
      '', // 12: blank, skipped silently
      line({ subject: 'Mudança de mesa', body: 'preciso trocar de sala', department: 'FACILITIES', category: 'moves' }) + '\r', // 13: CRLF, label normalised
      line({ subject: 'Ol\ufffd', body: 'not UTF-8 here', department: 'it' }), // 14: a byte that was not UTF-8
      line({ subject: 'Sem corpo', department: 'it' }), // 15: no body field
    ].join('\n');
    const r = checkImportFile(file, desk);
    expect(r.accepted.map((a) => [a.line, a.example.department])).toEqual([
      [1, 'it'],
      [13, 'facilities'],
    ]);
    const reasons = Object.fromEntries(r.rejected.map((x) => [x.line, x.reason]));
    expect(Object.keys(reasons).map(Number)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14, 15]);
    expect(reasons[2]).toMatch(/^not JSON/);
    expect(reasons[3]).toMatch(/^department: "security" is not a department of this desk \(facilities, finance, hr, it, support\)/);
    expect(reasons[4]).toBe('body: required, as a string');
    expect(reasons[5]).toMatch(/empty/);
    expect(reasons[6]).toMatch(/^priority: /);
    expect(reasons[7]).toMatch(/^too long: \d+ bytes, at most 65536/);
    expect(reasons[8]).toBe('subject: refused: U+202E, a bidirectional override');
    expect(reasons[9]).toMatch(/^body: refused: .*lone UTF-16 surrogate/);
    expect(reasons[10]).toMatch(/U\+0000, a control character/);
    expect(reasons[11]).toBe('not a JSON object');
    expect(reasons[14]).toMatch(/not valid UTF-8/);
    expect(reasons[15]).toBe('body: required, as a string');
    expect(checkImportFile(line({ body: 'sem assunto', department: 'it' }), desk).rejected[0]!.reason).toBe('subject: required, as a string');
    expect(checkImportFile(line({ subject: '', body: 'sem assunto', department: 'it' }), desk).accepted).toHaveLength(1);
    expect(r.lines).toBe(14);
  });

  it('counts a repeated ticket once, whatever the spacing of its line, and drops a byte-order mark', () => {
    const a = { subject: 'VPN', body: 'não conecta', department: 'it' };
    const r = checkImportFile(`\ufeff${line(a)}\n{ "department": "it", "body": "não conecta", "subject": "VPN" }\n`, desk);
    expect(r.accepted).toHaveLength(1);
    expect(r.repeated).toBe(1);
    expect(r.rejected).toEqual([]);
    expect(r.accepted[0]!.digest).toBe(triageExampleDigest({ ...a }));
    expect(triageExampleDigest({ ...a, priority: 'high' })).not.toBe(r.accepted[0]!.digest);
  });

  it('lets ordinary text through: accents, emoji with joiners, tabs, right-to-left letters', () => {
    for (const text of ['Não consigo acessar', 'família 👨‍👩‍👧 ok', 'col1\tcol2', 'مرحبا', 'line\r\nbreak']) expect(hostileUnicode(text)).toBeUndefined();
  });
});

describe('import limits', () => {
  it('refuses a file over the byte or line limit with a 413 and a message saying how to proceed', () => {
    const big = 'x'.repeat(triageImportLimits.fileBytes + 1);
    expect(importFileProblem(big)).toMatchObject({ status: 413, message: expect.stringMatching(/at most 2097152 .*Split it/) });
    const many = Array.from({ length: triageImportLimits.lines + 1 }, () => '{}').join('\n');
    expect(importFileProblem(many)).toMatchObject({ status: 413, message: expect.stringMatching(/1001 lines; at most 1000/) });
    expect(importFileProblem(Array.from({ length: triageImportLimits.lines }, () => '{}').join('\n') + '\n\n\n')).toBeNull();
  });

  it('reads the route body: 415 for another content type, 413 over the byte limit, base64 decoded, bytes that are not UTF-8 pointed at by line', () => {
    const status = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof HttpError ? `${e.status} ${e.message}` : String(e);
      }
      return 'ok';
    };
    const ok = line({ subject: 'VPN', body: 'caiu', department: 'it' });
    expect(status(() => readTextBody({ headers: { 'content-type': 'application/json' }, body: ok, isBase64Encoded: false }, triageImportBody))).toMatch(/^415 Send the body as application\/x-ndjson, application\/jsonl, text\/plain/);
    expect(status(() => readTextBody({ headers: {}, body: ok, isBase64Encoded: false }, triageImportBody))).toMatch(/^415/);
    const big = Buffer.alloc(triageImportLimits.fileBytes + 1, 'a').toString('base64');
    expect(status(() => readTextBody({ headers: { 'content-type': 'application/x-ndjson' }, body: big, isBase64Encoded: true }, triageImportBody))).toBe('413 The body is 2097153 bytes; at most 2097152 are taken at once');
    const bytes = Buffer.concat([Buffer.from(`${ok}\n{"subject":"Ol`), Buffer.from([0xe1]), Buffer.from('","body":"x","department":"it"}\n')]);
    const text = readTextBody({ headers: { 'content-type': 'application/jsonl; charset=utf-8' }, body: bytes.toString('base64'), isBase64Encoded: true }, triageImportBody);
    const r = checkImportFile(text, desk);
    expect(r.accepted.map((a) => a.line)).toEqual([1]);
    expect(r.rejected).toEqual([{ line: 2, reason: expect.stringMatching(/^subject: refused: U\+FFFD.*not valid UTF-8/) }]);
  });

  it('takes JSON Lines under any of its usual content types', () => {
    for (const t of ['application/x-ndjson', 'application/jsonl; charset=utf-8', 'TEXT/PLAIN']) expect(isTriageImportContentType(t)).toBe(true);
    for (const t of [undefined, '', 'application/json', 'multipart/form-data; boundary=x']) expect(isTriageImportContentType(t)).toBe(false);
  });
});

// ---------------------------------------------------------------------------
// The use case, with in-memory stores

const topics: Record<string, string[]> = {
  it: ['notebook', 'monitor', 'teclado', 'wifi', 'vpn', 'laptop', 'keyboard', 'servidor'],
  finance: ['reembolso', 'refund', 'nota', 'invoice', 'imposto', 'pagamento', 'payment', 'salario'],
  support: ['cadastro', 'profile', 'endereco', 'address', 'apelido', 'pedido', 'order', 'entrega'],
};

/** Words the keyword rules do not know, so a model can beat them. */
function history(n: number, seed = 3): TriageExample[] {
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pick = (xs: string[]) => xs[Math.floor(rand() * xs.length)]!;
  const depts = Object.keys(topics);
  return Array.from({ length: n }, (_, i) => {
    const d = depts[i % depts.length]!;
    const w = topics[d]!;
    return { subject: `${pick(w)} ${pick(w)} ${i}`, body: `Olá, ${pick(w)} ${pick(w)} ${pick(w)} desde ontem.`, department: d };
  });
}

function fakes() {
  const stored = new Map<string, TriageExample & { digest: string; source: string; at: string }>();
  const objects = new Map<string, unknown>();
  let pointer: TriageModelPointer | null = null;
  const deps: ImportDeps = {
    departments: async () => [...desk],
    imported: {
      digestsOf: async () => new Set(stored.keys()),
      put: async (examples, at) => {
        let n = 0;
        for (const { digest, example } of examples) {
          if (stored.has(digest)) continue;
          stored.set(digest, { ...example, digest, source: 'import', at: at.toISOString() });
          n++;
        }
        return n;
      },
    },
    examples: { ofMonths: async (_m, max) => [...stored.values()].slice(0, max) },
    models: {
      inUse: async () => (pointer ? structuredClone(pointer) : null),
      read: async (key) => structuredClone(objects.get(key)),
      write: async (seq: number, model: TriageModel) => {
        const key = `models/triage/v${seq}.json`;
        objects.set(key, JSON.parse(JSON.stringify(model)));
        return key;
      },
      publish: async (next, expected) => {
        if ((pointer?.seq ?? null) !== expected) return false;
        pointer = structuredClone(next);
        return true;
      },
    },
    policy: defaultPolicy,
    now: () => new Date('2026-06-15T12:00:00.000Z'),
  };
  return { deps, stored, pointer: () => pointer };
}

const fast = { train: { folds: 2, epochs: 8 } } as const;

describe('importTriageExamples', () => {
  it('stores the good lines once, reports the bad ones, and publishes a model that beats the rules', async () => {
    const f = fakes();
    const good = history(60).map(line);
    const file = [...good.slice(0, 30), 'oops', line({ subject: 'x', body: 'y', department: 'legal' }), ...good.slice(30)].join('\n');
    const first = await importTriageExamples(f.deps, file, fast);
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(first.report).toMatchObject({ lines: 62, accepted: 60, stored: { new: 60, already: 0 }, rejected: { total: 2, listed: 2 } });
    expect(first.report.rejected.lines.map((r) => r.line)).toEqual([31, 32]);
    expect(first.report.model).toMatchObject({ published: true, reason: 'better', version: 'v1', inUse: 'v1', examples: { desk: 0, file: 60, total: 60 } });
    const held = first.report.model.heldOut!;
    expect(held.model).toBeGreaterThan(held.rules);
    expect(held.inUse).toBeNull();
    expect([...f.stored.values()].every((e) => e.source === 'import')).toBe(true);

    // The same file again: nothing stored twice, and no example counted twice in training.
    const again = await importTriageExamples(f.deps, file, fast);
    expect(again.ok).toBe(true);
    if (!again.ok) return;
    expect(f.stored.size).toBe(60);
    expect(again.report.stored).toEqual({ new: 0, already: 60 });
    expect(again.report.model.examples).toEqual({ desk: 0, file: 60, total: 60 });
  });

  it('lists at most the bound of rejected lines and gives their total', async () => {
    const f = fakes();
    const bad = Array.from({ length: triageImportLimits.listedRejections + 20 }, (_, i) => `bad ${i}`);
    const r = await importTriageExamples(f.deps, [...bad, ...history(30).map(line)].join('\n'), fast);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.report.rejected.total).toBe(120);
    expect(r.report.rejected.lines).toHaveLength(triageImportLimits.listedRejections);
    expect(r.report.rejected.listed).toBe(triageImportLimits.listedRejections);
  });

  it('refuses a file with no usable line, saying why, and stores nothing', async () => {
    const f = fakes();
    const r = await importTriageExamples(f.deps, 'nope\n{"subject":"x","body":"y","department":"legal"}\n', fast);
    expect(r).toMatchObject({ ok: false, message: expect.stringMatching(/None of the 2 lines is usable/), rejected: { total: 2 } });
    expect(await importTriageExamples(f.deps, '\n\n', fast)).toMatchObject({ ok: false, message: expect.stringMatching(/no lines/) });
    expect(f.stored.size).toBe(0);
    expect(f.pointer()).toBeNull();
  });

  it('does not publish when too few tickets are held out to judge', async () => {
    const f = fakes();
    const r = await importTriageExamples(f.deps, history(12).map(line).join('\n'), fast);
    expect(r.ok && r.report.model).toMatchObject({ published: false, reason: 'too-few-examples', inUse: null });
    expect(f.stored.size).toBe(12);
  });
});
