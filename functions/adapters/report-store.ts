import { GetCommand, QueryCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamo, queryPartition } from './dynamo.ts';
import { departmentOfReportKey, keys, partitions, reportDayRange, reportPartition, VOLUME_SHARDS } from './keys.ts';
import { departmentsWithin, withinExpression } from './page-query.ts';
import type { Scope } from '#core/access';
import { activeStatuses, levels, type Level, type Priority, type Status } from '#core/ticket';
import { monthsOf, type ReportCount, type ReportCounters } from '#core/report';
import { weeksOf, type TriageCounterField, type TriageCounterRow } from '#core/triage-report';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Numbers added to a report item in the same transaction as a ticket change. */
export interface CounterUpdate {
  key: { pk: string; sk: string };
  add: Record<string, number>;
}

/** The counter items the report changes of a write move (see functions/core/report.ts). */
export function reportCounters(counts: ReportCount[]): CounterUpdate[] {
  return counts.map((c): CounterUpdate => {
    switch (c.report) {
      case 'volume':
        return { key: keys.reportVolume(c.day, c.category, Math.floor(Math.random() * VOLUME_SHARDS), c.department), add: { count: c.by } };
      case 'subjects':
        return { key: keys.reportSubject(c.month, c.subject, c.department), add: { count: c.by } };
      case 'sla':
        return { key: keys.reportSla(c.day, c.priority, c.level, c.department), add: { [c.met ? 'met' : 'breached']: 1 } };
      case 'triage':
        return { key: keys.reportTriage(c.week, Math.floor(Math.random() * VOLUME_SHARDS), c.department), add: c.add as Record<string, number> };
    }
  });
}

/** A counter update as one item of a transaction (an ADD per field). */
export function counterAdd(tableName: string, c: CounterUpdate): TransactItem {
  const names: Record<string, string> = {};
  const values: Record<string, number> = {};
  const adds = Object.entries(c.add).map(([field, n], i) => {
    names[`#c${i}`] = field;
    values[`:c${i}`] = n;
    return `#c${i} :c${i}`;
  });
  return { Update: { TableName: tableName, Key: c.key, UpdateExpression: `ADD ${adds.join(', ')}`, ExpressionAttributeNames: names, ExpressionAttributeValues: values } };
}

/** The report counters, kept at write time (see keys.ts), and the backlog counted from the status index. */
export function reportStore(tableName: string) {
  const queryAll = (q: { pk: string; between?: [string, string] }) => queryPartition(tableName, q);

  /** How many tickets hold one status at one level (within the caller's departments): a COUNT Query on the status index partition. */
  async function countStatus(status: Status, level: Level, scope?: Scope): Promise<number> {
    const within = departmentsWithin(scope);
    if (within === 'nothing') return 0;
    const w = withinExpression(within);
    let count = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const res = await dynamo.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: 'status',
          KeyConditionExpression: 'statusPk = :p',
          FilterExpression: w ? `#level = :l AND ${w.expression}` : '#level = :l',
          ExpressionAttributeNames: { '#level': 'level', ...w?.names },
          ExpressionAttributeValues: { ':p': partitions.status(status), ':l': level, ...w?.values },
          Select: 'COUNT',
          ExclusiveStartKey: start,
        }),
      );
      count += res.Count ?? 0;
      start = res.LastEvaluatedKey;
    } while (start);
    return count;
  }

  return {
    async getCounters(key: { pk: string; sk: string }): Promise<Record<string, number>> {
      const res = await dynamo.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
      const { pk: _pk, sk: _sk, ...fields } = res.Item ?? {};
      return fields as Record<string, number>;
    },

    /**
     * The report counters of a range: a Query per month partition of each
     * counter kind (the range's days from the day-keyed ones), and a COUNT
     * Query per active status and level for the backlog. Never a Scan.
     */
    async readReportCounters(range: { from: string; to: string }, scope?: Scope): Promise<ReportCounters> {
      const months = monthsOf(range);
      const days = (kind: 'volume' | 'sla', month: string) => ({
        pk: reportPartition(kind, month),
        between: reportDayRange(range.from, range.to),
      });
      // Weeks are counted under their Monday: the months of the first Monday to the range's end.
      const triageMonths = monthsOf({ from: weeksOf(range)[0]!, to: range.to });
      const [volume, subjects, sla, csat, backlog, triage] = await Promise.all([
        Promise.all(months.map((m) => queryAll(days('volume', m)))).then((pages) =>
          pages.flat().map((i) => {
            // DAY#day#category#shard[#department]; categories are slugs, with no '#'.
            const [, day, category, , department] = String(i.sk).split('#');
            return { day: day!, category: category!, count: Number(i.count ?? 0), department: departmentOfReportKey(department) };
          }),
        ),
        Promise.all(months.map((m) => queryAll({ pk: keys.reportSubject(m, '').pk }))).then((pages) =>
          pages.flat().map((i) => {
            const sk = String(i.sk);
            const m = /^D=([^#]+)#(.*)$/s.exec(sk);
            return m ? { subject: m[2]!, count: Number(i.count ?? 0), department: departmentOfReportKey(m[1]) } : { subject: sk, count: Number(i.count ?? 0), department: undefined };
          }),
        ),
        Promise.all(months.map((m) => queryAll(days('sla', m)))).then((pages) =>
          pages.flat().map((i) => {
            const [, day, priority, level, department] = String(i.sk).split('#');
            return {
              day: day!,
              priority: priority as Priority,
              level: Number(level!.slice(1)) as Level,
              met: Number(i.met ?? 0),
              breached: Number(i.breached ?? 0),
              department: departmentOfReportKey(department),
            };
          }),
        ),
        // MONTH#yyyy-mm[#department]: '~' sorts after every department id.
        queryAll({ pk: keys.reportCsat('').pk, between: [keys.reportCsat(months[0]!).sk, `${keys.reportCsat(months[months.length - 1]!).sk}#~`] }).then((items) =>
          items.map(({ pk: _pk, sk, ...fields }) => ({ ...(fields as Record<string, number>), department: departmentOfReportKey(String(sk).split('#')[2]) })),
        ),
        Promise.all(
          levels.flatMap((level) => activeStatuses.map(async (status) => ({ level, status, count: await countStatus(status, level, scope) }))),
        ),
        Promise.all(triageMonths.map((m) => queryAll({ pk: reportPartition('triage', m) }))).then((pages) =>
          pages.flat().map(({ pk: _pk, sk, ...fields }): TriageCounterRow => {
            // WEEK#monday#shard#department
            const [, week, , department] = String(sk).split('#');
            return { ...(fields as Record<TriageCounterField, number>), week: week!, department: departmentOfReportKey(department) ?? null };
          }),
        ),
      ]);
      return { volume, subjects, sla, csat, backlog, triage };
    },
  };
}

export type ReportStore = ReturnType<typeof reportStore>;
