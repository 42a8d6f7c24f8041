import { describe, expect, it } from 'vitest';
import { checkTriageExample, parseTriageExamples } from '#core/triage-examples';

describe('checkTriageExample', () => {
  it('accepts a ticket with its department, normalising labels and cutting huge text', () => {
    const r = checkTriageExample({ subject: 'Senha', body: 'x'.repeat(50_000), department: ' IT ', priority: 'high', language: 'pt-BR', extra: 1 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.example).toMatchObject({ subject: 'Senha', department: 'it', priority: 'high', language: 'pt' });
    expect(r.example.body.length).toBe(20_000);
    expect(checkTriageExample({ subject: 'Senha', department: 'it', category: null, priority: null })).toMatchObject({ ok: true, example: { body: '' } });
  });

  it('rejects each bad example with a reason that names the field', () => {
    expect(checkTriageExample({ subject: 'x' })).toEqual({ ok: false, reason: expect.stringMatching(/^department: /) });
    expect(checkTriageExample({ subject: ' ', body: '', department: 'it' })).toEqual({ ok: false, reason: expect.stringMatching(/empty/) });
    expect(checkTriageExample({ subject: 'x', department: 'it', priority: 'p1' })).toEqual({ ok: false, reason: expect.stringMatching(/^priority: /) });
    expect(checkTriageExample({ subject: 'x', department: 'T.I.' })).toEqual({ ok: false, reason: expect.stringMatching(/^department: /) });
    expect(checkTriageExample({ subject: 42, department: 'it' })).toEqual({ ok: false, reason: expect.stringMatching(/^subject: /) });
    expect(checkTriageExample('a string')).toMatchObject({ ok: false });
    expect(checkTriageExample([1])).toMatchObject({ ok: false });
  });
});

describe('parseTriageExamples', () => {
  it('keeps the good lines and reports each bad one by number, never failing the file', () => {
    const file = [
      '{"subject":"Senha expirada","body":"","department":"it"}',
      '',
      '{"subject":"Fatura","department":"finance","priority":"urgentissimo"}',
      'not json',
      '{"subject":"Boleto","body":"segunda via","department":"finance","priority":"low"}\r',
    ].join('\n');
    const { examples, rejected } = parseTriageExamples(file);
    expect(examples.map((e) => e.subject)).toEqual(['Senha expirada', 'Boleto']);
    expect(rejected.map((r) => r.line)).toEqual([3, 4]);
    expect(rejected[0]!.reason).toMatch(/^priority: /);
    expect(rejected[1]!.reason).toMatch(/^not JSON/);
  });
});
