import { describe, expect, it } from 'vitest';
import type { MeterSnapshot } from '../../local/meter.ts';
import { prices, usd } from '../../bench/aws-prices.ts';
import { chunks, costPerThousand, diffCounters, fixedMonthly, GB, KB256, KB64, perThousand, storagePerThousand, usageFromMeter, type Usage } from '../../bench/cost-model.ts';

const fn = (over: Partial<MeterSnapshot['lambda'][string]> = {}): MeterSnapshot['lambda'][string] => ({
  trigger: 'event',
  invocations: 0,
  errors: 0,
  durationMs: 0,
  billedMs: 0,
  logBytes: 0,
  logWrites: 0,
  readUnits: 0,
  writeUnits: 0,
  ...over,
});

function snapshot(over: Partial<MeterSnapshot> = {}): MeterSnapshot {
  return {
    since: 't0',
    at: 't1',
    http: { requests: 0, byStatus: {} },
    lambda: {},
    sdk: {},
    dynamodb: { readUnits: 0, writeUnits: 0, byOperation: {}, conditionalFailures: 0, cancelledTransactions: 0, cancelledTransactionItems: 0, zeroUnitReads: 0 },
    sqs: {},
    sqsEmptyReceives: 0,
    sns: { calls: 0, chunks: 0, messages: 0, bytes: 0 },
    ses: { sends: 0, recipients: 0, bytes: 0 },
    sesInbound: { mails: 0, bytes: 0, chunks256k: 0 },
    s3: {},
    secretsManager: { getSecretValue: 0 },
    logs: { bytes: 0, writes: 0 },
    sources: {},
    ...over,
  };
}

const zero: Usage = {
  httpRequests: 0,
  lambdaInvocations: 0,
  lambdaGbSeconds: 0,
  dynamoWriteUnits: 0,
  dynamoReadUnits: 0,
  stateTransitions: 0,
  sqsRequests: 0,
  snsPublishes: 0,
  sesOutbound: 0,
  sesInboundMails: 0,
  sesInboundChunks: 0,
  s3Puts: 0,
  s3Gets: 0,
  secretsCalls: 0,
  logBytes: 0,
  xrayTraces: 0,
};
const opts = { memoryMb: (name: string) => (name === 'InboundMail' ? 1024 : 512), platformLogBytesPerInvocation: 0, stateMachineLogBytes: 0 };

describe('cost model', () => {
  it('scales a count over N tickets to 1,000 tickets', () => {
    expect(perThousand(30, 60)).toBe(500);
    expect(perThousand(7, 1000)).toBe(7);
    expect(() => perThousand(1, 0)).toThrow(/tickets/);
  });

  it('rounds payloads up to whole chunks, at least one per call', () => {
    expect(chunks(0, KB64)).toBe(1);
    expect(chunks(1, KB64)).toBe(1);
    expect(chunks(KB64, KB64)).toBe(1);
    expect(chunks(KB64 + 1, KB64)).toBe(2);
    expect(chunks(300 * 1024, KB256)).toBe(2);
  });

  it('diffs two meter snapshots key by key, nested, new keys counting from zero', () => {
    const a = snapshot({ http: { requests: 10, byStatus: { '200': 10 } }, lambda: { A: fn({ invocations: 3 }) } });
    const b = snapshot({ http: { requests: 25, byStatus: { '200': 20, '404': 5 } }, lambda: { A: fn({ invocations: 5 }), B: fn({ invocations: 2 }) }, at: 't9' });
    const d = diffCounters(a, b);
    expect(d.http).toEqual({ requests: 15, byStatus: { '200': 10, '404': 5 } });
    expect(d.lambda.A!.invocations).toBe(2);
    expect(d.lambda.B!.invocations).toBe(2);
    expect(d.lambda.A!.trigger).toBe('event');
    expect(d.at).toBe('t9');
  });

  it('turns meter counts into billed usage: GB-s by memory size, estimated failed writes, idle polls left out', () => {
    const m = snapshot({
      http: { requests: 4, byStatus: {} },
      lambda: { GetTicket: fn({ trigger: 'http-agent', invocations: 2, billedMs: 2000 }), InboundMail: fn({ invocations: 1, billedMs: 1000 }) },
      dynamodb: { readUnits: 3, writeUnits: 10, byOperation: {}, conditionalFailures: 2, cancelledTransactions: 1, cancelledTransactionItems: 3, zeroUnitReads: 2 },
      sqs: { ReceiveMessage: { calls: 5, chunks: 5, messages: 3, bytes: 100 }, DeleteMessageBatch: { calls: 1, chunks: 1, messages: 3, bytes: 0 } },
      sqsEmptyReceives: 4,
      s3: { PutObject: { calls: 2, bytes: 10 }, GetObject: { calls: 3, bytes: 10 }, HeadObject: { calls: 1, bytes: 0 }, ListObjectsV2: { calls: 1, bytes: 0 } },
      logs: { bytes: 1000, writes: 3 },
      sources: { stepFunctions: { executions: 2, transitions: 30 } },
    });
    const u = usageFromMeter(m, { ...opts, platformLogBytesPerInvocation: 100, stateMachineLogBytes: 500 });
    expect(u.lambdaInvocations).toBe(3);
    expect(u.lambdaGbSeconds).toBeCloseTo(2 * 0.5 + 1 * 1, 10);
    expect(u.dynamoWriteUnits).toBe(10 + 2 * 1 + 3 * 2);
    expect(u.dynamoReadUnits).toBe(3 + 2 * 0.5);
    expect(u.sqsRequests).toBe(1 + 1);
    expect(u.s3Puts).toBe(3);
    expect(u.s3Gets).toBe(4);
    expect(u.stateTransitions).toBe(30);
    expect(u.logBytes).toBe(1000 + 3 * 100 + 500);
    expect(u.xrayTraces).toBe(4 + 1 + 2);
  });

  it('prices usage per 1,000 tickets at list price: the free tier is not subtracted', () => {
    // 1,000 HTTP requests and 4,000 transitions over 1,000 tickets: both inside a monthly free tier, still billed here.
    const { lines, total } = costPerThousand({ ...zero, httpRequests: 1000, stateTransitions: 4000 }, 1000, prices);
    const http = lines.find((l) => l.price === prices.httpApiRequest)!;
    const sfn = lines.find((l) => l.price === prices.stateTransition)!;
    expect(http.cost).toBeCloseTo(0.001, 10);
    expect(sfn.cost).toBeCloseTo(0.1, 10);
    expect(prices.stateTransition.freeTier).toBeDefined();
    expect(total).toBeCloseTo(0.101, 10);
  });

  it('sums every line into the total and scales with the ticket count', () => {
    const usage: Usage = { ...zero, dynamoWriteUnits: 600, sesOutbound: 6, sesInboundMails: 3, sesInboundChunks: 4, logBytes: GB * 0.06, lambdaGbSeconds: 60 };
    const at60 = costPerThousand(usage, 60, prices);
    expect(at60.total).toBeCloseTo(at60.lines.reduce((s, l) => s + l.cost, 0), 12);
    expect(at60.lines.find((l) => l.price === prices.dynamoWriteUnit)!.per1000).toBe(10_000);
    expect(at60.lines.find((l) => l.price === prices.logIngestGb)!.per1000).toBeCloseTo(1, 10);
    const at120 = costPerThousand(usage, 120, prices);
    expect(at120.total).toBeCloseTo(at60.total / 2, 12);
    expect(usd(prices.sesOutbound, 1000)).toBeCloseTo(0.1, 12);
  });

  it('prices storage per month kept, and the fixed monthly costs apart', () => {
    const s = storagePerThousand({ dynamoBytes: GB, s3Bytes: GB, logBytes: 0 }, 1000, prices);
    expect(s.total).toBeCloseTo(0.25 + 0.2 + 0.023, 10);
    const f = fixedMonthly(
      { agents: 10, kmsKeys: 1, secrets: 1, alarms: 8, dashboards: 1, customMetrics: 0, idleSqsPollers: 0, dashboardLoadsPerAgent: 0, dashboardBytesPerLoad: 0, dashboardRequestsPerLoad: 0 },
      prices,
    );
    expect(f.total).toBeCloseTo(10 * 0.02 + 1 + 0.4 + 0.8 + 3, 10);
  });

  it('names a pricing page and the date taken for every price', () => {
    for (const p of Object.values(prices)) {
      expect(p.url).toMatch(/^https:\/\/aws\.amazon\.com\//);
      expect(p.checked).toMatch(/2026-11/);
      expect(p.usd).toBeGreaterThan(0);
    }
  });
});
