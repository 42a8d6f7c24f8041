import { GetCommand, QueryCommand, UpdateCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { batchGetAll, conditionFailed, dynamo, onlyContention, putIf, queryPages, transactWrite } from './dynamo.ts';
import { keys, partitions, SPAM, ticketIndexKeys, withoutStorageAttributes, type StatusBucket } from './keys.ts';
import { departmentsWithin, pagedQuery } from './page-query.ts';
import { counterAdd, reportCounters, type CounterUpdate } from './report-store.ts';
import { inScope, type Scope } from '#core/access';
import { NotFoundError, VersionConflictError } from '#core/errors';
import { TicketNumbers } from '#core/ticket-numbers';
import { activeStatuses, levels, type AuditEvent, type Message, type Status, type Ticket } from '#core/ticket';
import { searchWords } from '#core/search-terms';
import { creationCounts } from '#core/report';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export interface ListFilter {
  department?: string;
  level?: number;
  status?: Status[];
  /** An agent's email, or 'none' for unassigned tickets. */
  assignee?: string;
  requester?: string;
  /** The spam view instead of the status filter. */
  spam?: boolean;
  limit: number;
  cursor?: string;
  /** Only what the caller may see (core/access.ts visibleDepartments); absent: everything. */
  scope?: Scope;
}

const CHANGE_ATTEMPTS = 8;
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** How long a caller's Idempotency-Key is remembered. */
const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

/**
 * Tickets, their messages and audit events, over one DynamoDB table: opening
 * (numbers, idempotency keys, the indexing that follows), changes, and the
 * queue and history views. Departments, agents, canned responses, reports,
 * search and round-robin turns have their own stores beside this one. Conditional writes turn races into
 * ordinary results: a stale version comes back as a VersionConflictError
 * carrying the current ticket, never as a lost update.
 */
export function ticketStore(tableName: string) {
  const ticketItem = (t: Ticket) => ({ ...keys.ticket(t.id), type: 'ticket', ...t, ...ticketIndexKeys(t) });
  const eventPut = (e: AuditEvent): TransactItem => ({
    Put: { TableName: tableName, Item: { ...keys.event(e.ticketId, e.version), type: 'event', ...e }, ConditionExpression: 'attribute_not_exists(pk)' },
  });
  const messagePut = (m: Message): TransactItem => ({
    Put: { TableName: tableName, Item: { ...keys.message(m.ticketId, m.createdAt, m.id), type: 'message', ...m }, ConditionExpression: 'attribute_not_exists(pk)' },
  });

  const numbers = new TicketNumbers(async (count) => {
    const res = await dynamo.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.counter('ticket-number'),
        UpdateExpression: 'ADD #v :n',
        ExpressionAttributeNames: { '#v': 'value' },
        ExpressionAttributeValues: { ':n': count },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(res.Attributes!.value);
  });

  async function getTicket(id: string): Promise<Ticket | undefined> {
    // Strongly consistent: a version check against a stale read could pass or fail wrongly.
    const res = await dynamo.send(new GetCommand({ TableName: tableName, Key: keys.ticket(id), ConsistentRead: true }));
    return res.Item ? toTicket(res.Item) : undefined;
  }

  /**
   * Writes a change that leaves the ticket's state alone (see commutingChange)
   * without conditioning on its version: the version is bumped atomically (ADD),
   * so other editors' If-Match still sees the change, and the event takes the
   * version this write produced. The guard is the status the change was worked
   * out on (a reply must not land on a ticket closed meanwhile, a customer's mail
   * on one set pending meanwhile must reopen it), the department and spam mark
   * its checks read (a note must not land on a ticket moved meanwhile out of its
   * author's sight, nor a reply go out on one just marked spam) and the lists it
   * rewrites. Undefined when the guard failed: re-read and work the change out
   * again. 'duplicate' when another run of this very change (the same delivery
   * handled twice at once) wrote its message first: it is applied already.
   */
  async function appendCommuting(read: Ticket, next: Ticket, lists: (keyof Ticket)[], event: AuditEvent, message?: Message) {
    const names: Record<string, string> = { '#status': 'status', '#updatedAt': 'updatedAt', '#version': 'version' };
    const values: Record<string, unknown> = { ':status': read.status, ':updatedAt': next.updatedAt, ':one': 1 };
    const sets = ['#updatedAt = :updatedAt'];
    const guards = ['attribute_exists(pk)', '#status = :status'];
    lists.forEach((field, i) => {
      names[`#l${i}`] = field;
      values[`:l${i}`] = next[field];
      sets.push(`#l${i} = :l${i}`);
      if (read[field] === undefined) guards.push(`attribute_not_exists(#l${i})`);
      else {
        values[`:b${i}`] = read[field];
        guards.push(`#l${i} = :b${i}`);
      }
    });
    (['department', 'spam'] as const).forEach((field, i) => {
      names[`#g${i}`] = field;
      const was = read[field];
      if (was === undefined || was === null) {
        values[':null'] = 'NULL';
        guards.push(`(attribute_not_exists(#g${i}) OR attribute_type(#g${i}, :null))`);
      } else {
        values[`:g${i}`] = was;
        guards.push(`#g${i} = :g${i}`);
      }
    });
    let res;
    try {
      res = await dynamo.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.ticket(read.id),
          UpdateExpression: `SET ${sets.join(', ')} ADD #version :one`,
          ConditionExpression: guards.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
    } catch (err) {
      const name = (err as { name?: string }).name;
      // A transaction holding the item at that instant is contention too: retried like a failed guard.
      if (name === 'ConditionalCheckFailedException' || name === 'TransactionConflictException') return undefined;
      throw err;
    }
    const ticket = toTicket(res.Attributes!);
    const stamped: AuditEvent = { ...event, version: ticket.version };
    // The version is this write's alone, so the event's key is free. The message sits on its own key
    // (ids are unique; a redelivered mail's is the same), so it is put only where none is: two copies
    // of one delivery that both passed the guard above (a change touching no list) record one message
    // and one event. The loser's version bump stays, an event-less gap that costs an If-Match holder a
    // re-read at most. A transaction, so event and message land together (PutItem only, which every
    // writer of tickets is granted).
    const items: TransactItem[] = [eventPut(stamped)];
    if (message) items.push(messagePut(message));
    try {
      await transactWrite(items);
    } catch (err) {
      if (message && conditionFailed(err)?.some((f) => f.index === 1)) return 'duplicate' as const;
      throw err;
    }
    return { ticket, event: stamped };
  }

  // Methods call each other through `store`, not `this`, so a use case may take them one by one.
  const store = {
    getTicket,

    /** The next human ticket number (see TicketNumbers for when numbers may skip). */
    nextTicketNumber: () => numbers.take(),

    /** Which ticket an earlier request with this Idempotency-Key created, and a hash of that request. */
    async findIdempotent(caller: string, key: string): Promise<{ ticketId: string; requestHash: string } | undefined> {
      const res = await dynamo.send(new GetCommand({ TableName: tableName, Key: keys.idempotency(caller, key), ConsistentRead: true }));
      if (!res.Item || Number(res.Item.expiresAt) < nowSeconds()) return undefined;
      return { ticketId: res.Item.ticketId as string, requestHash: res.Item.requestHash as string };
    },

    /**
     * Writes a new ticket in one transaction: the conditional put of the ticket
     * item (which carries its opening message and creation event), one search
     * item per subject word, and the report counters it moves, so a ticket is
     * never found or counted without existing, nor counted twice. With an
     * idempotency key, the key's record joins it. `{ replayOf }` means a
     * concurrent request took the key first, `{ inFlight }` that it holds the
     * key but its record cannot be read yet, and `{ alreadyExists }` that a
     * ticket with this id was written before.
     */
    async createTicket(ticket: Ticket, message: Message, event: AuditEvent, idempotency?: { caller: string; key: string; requestHash: string }) {
      const put = { TableName: tableName, Item: { ...ticketItem(ticket), openingMessage: message, createdEvent: event }, ConditionExpression: 'attribute_not_exists(pk)' };
      // One PutItem: search words and report counts are written by indexNewTicket, off this path.
      // Ids made from a mail's delivery repeat on redelivery: the ticket is then already there.
      if (!idempotency) return (await putIf(put)) ? { created: ticket } : { alreadyExists: true as const };
      // The ticket first and the key's record second: the error handling below reads their positions.
      const items: TransactItem[] = [{ Put: put }];
      if (idempotency) {
        items.push({
          Put: {
            TableName: tableName,
            Item: {
              ...keys.idempotency(idempotency.caller, idempotency.key),
              type: 'idempotency',
              ticketId: ticket.id,
              requestHash: idempotency.requestHash,
              expiresAt: nowSeconds() + IDEMPOTENCY_TTL_SECONDS,
            },
            // An expired record (TTL deletion is lazy) may be overwritten.
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
            // The same boundary findIdempotent uses: a record it ignores may be overwritten.
            ExpressionAttributeValues: { ':now': nowSeconds() },
          },
        });
      }
      try {
        await transactWrite(items);
        return { created: ticket };
      } catch (err) {
        if (conditionFailed(err)?.some((f) => f.index === 1) || onlyContention(err)) {
          // Another request holds the key; if its record is not readable yet, it is still in flight.
          const replayOf = await store.findIdempotent(idempotency.caller, idempotency.key);
          return replayOf ? { replayOf } : { inFlight: true as const };
        }
        throw err;
      }
    },

    /**
     * Indexes a new ticket once, off the create path: its subject words for
     * search and its creation counts for the reports, in one transaction with a
     * marker item, so a retry (or a restarted lifecycle) never counts twice.
     * Run by the lifecycle's first step, a second or so after the ticket is
     * written; a create stays one PutItem. False when it was indexed before.
     */
    async indexNewTicket(ticket: Ticket): Promise<boolean> {
      const items: TransactItem[] = [
        // The department its creation is counted under, so an erasure later moves that very count.
        { Put: { TableName: tableName, Item: { ...keys.indexed(ticket.id), type: 'indexed', at: new Date().toISOString(), department: ticket.department }, ConditionExpression: 'attribute_not_exists(pk)' } },
      ];
      for (const word of searchWords(ticket.subject)) {
        items.push({
          Put: {
            TableName: tableName,
            Item: {
              ...keys.searchWord(word, ticket.createdAt, ticket.id),
              type: 'search',
              id: ticket.id,
              number: ticket.number,
              subject: ticket.subject,
              status: ticket.status,
              priority: ticket.priority,
              requesterEmail: ticket.requester.email,
              createdAt: ticket.createdAt,
            },
          },
        });
      }
      for (const c of reportCounters(creationCounts(ticket))) items.push(counterAdd(tableName, c));
      try {
        await transactWrite(items);
        return true;
      } catch (err) {
        if (conditionFailed(err)?.some((f) => f.index === 0)) return false;
        throw err;
      }
    },

    /**
     * Replaces the ticket if its stored version is still `expectedVersion`, and
     * records the event (and message) in the same transaction.
     */
    async saveTicket(next: Ticket, expectedVersion: number, event: AuditEvent, message?: Message, counters: CounterUpdate[] = []) {
      // SET every ticket attribute and index key; the opening message and event stay as written.
      const { pk, sk, ...attrs } = ticketItem(next);
      const names: Record<string, string> = { '#version': 'version' };
      const values: Record<string, unknown> = { ':expected': expectedVersion };
      const sets = Object.entries(attrs).map(([name, value], i) => {
        names[`#a${i}`] = name;
        values[`:a${i}`] = value;
        return `#a${i} = :a${i}`;
      });
      const items: TransactItem[] = [
        {
          Update: {
            TableName: tableName,
            Key: { pk, sk },
            UpdateExpression: `SET ${sets.join(', ')}`,
            ConditionExpression: '#version = :expected',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          },
        },
        eventPut(event),
      ];
      if (message) items.push(messagePut(message));
      // Report counters move in the same transaction as the change they count: never one without the other.
      for (const c of counters) items.push(counterAdd(tableName, c));
      try {
        await transactWrite(items);
      } catch (err) {
        // A failed version condition, or other writers holding the item through every retry:
        // either way someone else changed the ticket, so the caller gets the current one.
        if (!conditionFailed(err) && !onlyContention(err)) throw err;
        throw new VersionConflictError(await getTicket(next.id));
      }
    },

    /**
     * Applies a change to the ticket as it is now, re-reading and retrying with
     * jittered back-off when another write got in first. For changes that never
     * conflict with what a caller saw (a new message, a delivery event), so a
     * race is retried rather than answered with a 409. `change` may decline by
     * returning undefined; `current` saves the first read when the caller has it.
     *
     * A change that only adds a message or an event (the ticket keeps its state,
     * bar the thread and participant lists) commutes with every other write, so it
     * is written without a version condition (see appendCommuting) and cannot be
     * starved by other writers; only a change of state takes the version-checked path.
     */
    async applyChange<C extends { ticket: Ticket; event: AuditEvent; message?: Message; counters?: CounterUpdate[] }>(
      id: string,
      change: (ticket: Ticket) => C | undefined | Promise<C | undefined>,
      current?: Ticket,
    ): Promise<C | undefined> {
      for (let attempt = 1; ; attempt++) {
        const ticket = attempt === 1 && current ? current : await getTicket(id);
        if (!ticket) throw new NotFoundError('Ticket');
        const next = await change(ticket);
        if (!next) return undefined;
        try {
          if (!next.counters?.length) {
            const guarded = commutingChange(ticket, next.ticket);
            if (guarded) {
              const written = await appendCommuting(ticket, next.ticket, guarded, next.event, next.message);
              // Applied by another run of the same change: nothing more to do, as when `change` declines.
              if (written === 'duplicate') return undefined;
              if (written) return { ...next, ...written };
              throw new VersionConflictError(attempt >= CHANGE_ATTEMPTS ? await getTicket(id) : undefined);
            }
          }
          await store.saveTicket(next.ticket, ticket.version, next.event, next.message, next.counters);
          return next;
        } catch (err) {
          if (!(err instanceof VersionConflictError) || attempt >= CHANGE_ATTEMPTS) throw err;
          // Capped: under a burst of writers, a long sleep only delays the retry that will pass.
          await new Promise((r) => setTimeout(r, Math.random() * Math.min(200, 10 * 2 ** attempt)));
        }
      }
    },

    /** The ticket with its whole conversation and audit trail: one Query on its partition. */
    async getThread(id: string) {
      const { items } = await queryPages({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.ticket(id).pk },
        // The ETag it returns is used for the next write: it must be the latest version.
        ConsistentRead: true,
      });
      const ticket = items.find((i) => i.type === 'ticket');
      if (!ticket) return undefined;
      return {
        ticket: toTicket(ticket),
        messages: [ticket.openingMessage, ...items.filter((i) => i.type === 'message').map(withoutStorageAttributes)].filter(Boolean) as Message[],
        events: [ticket.createdEvent, ...items.filter((i) => i.type === 'event').map(withoutStorageAttributes)].filter(Boolean) as AuditEvent[],
      };
    },

    /** A queue view: the most selective index for the filters given, the rest as filters. */
    async listTickets(f: ListFilter) {
      const statusList: StatusBucket[] = f.spam ? [SPAM] : (f.status ?? [...activeStatuses]);
      const residual: Record<string, string | number | null> = {};
      // `none`: tickets no department holds yet; at level 1 that is the dispatch queue.
      const department = f.department === 'none' ? null : f.department;
      // A department the caller may not see is an empty queue; without one, the view is narrowed to theirs.
      if (f.scope && f.department && !inScope(f.scope, department)) return { items: [] as Ticket[], nextCursor: null };
      const within = f.department ? undefined : departmentsWithin(f.scope);
      if (within === 'nothing') return { items: [] as Ticket[], nextCursor: null };
      let indexName: string;
      let partitionAttr: string;
      let parts: string[];
      if (f.requester) {
        [indexName, partitionAttr] = ['requester', 'requesterPk'];
        parts = statusList.map((s) => partitions.requester(f.requester!, s));
        if (f.department) residual.department = department!;
        if (f.level) residual.level = f.level;
        if (f.assignee) residual.assignee = f.assignee === 'none' ? null : f.assignee;
      } else if (f.assignee) {
        [indexName, partitionAttr] = ['assignee', 'assigneePk'];
        parts = statusList.map((s) => partitions.assignee(f.assignee === 'none' ? null : f.assignee!, s));
        if (f.department) residual.department = department!;
        if (f.level) residual.level = f.level;
      } else if (f.department) {
        [indexName, partitionAttr] = ['queue', 'queuePk'];
        const lv = f.level ? [f.level] : [...levels];
        parts = lv.flatMap((l) => statusList.map((s) => partitions.queue(department!, l, s)));
      } else {
        [indexName, partitionAttr] = ['status', 'statusPk'];
        parts = statusList.map((s) => partitions.status(s));
        if (f.level) residual.level = f.level;
      }
      const page = await pagedQuery<Record<string, unknown>>({
        tableName,
        indexName,
        partitionAttr,
        sortAttr: 'rankSk',
        partitions: parts,
        filters: residual,
        within,
        limit: f.limit,
        cursor: f.cursor,
      });
      return { items: page.items.map(toTicket), nextCursor: page.nextCursor };
    },

    /** A requester's whole history, newest first, whatever the status. */
    async customerHistory(email: string, limit: number, cursor?: string, scope?: Scope) {
      const within = departmentsWithin(scope);
      if (within === 'nothing') return { items: [] as Ticket[], nextCursor: null };
      const page = await pagedQuery<Record<string, unknown>>({
        tableName,
        indexName: 'history',
        partitionAttr: 'historyPk',
        sortAttr: 'createdSk',
        partitions: [partitions.history(email)],
        descending: true,
        within,
        limit,
        cursor,
      });
      return { items: page.items.map(toTicket), nextCursor: page.nextCursor };
    },

    async ticketByNumber(n: number): Promise<Ticket | undefined> {
      const res = await dynamo.send(
        new QueryCommand({ TableName: tableName, IndexName: 'number', KeyConditionExpression: 'numberPk = :n', ExpressionAttributeValues: { ':n': partitions.number(n) }, Limit: 1 }),
      );
      return res.Items?.[0] ? toTicket(res.Items[0]) : undefined;
    },

    /** Whether a message is already stored: a redelivered mail must not add it twice. */
    async hasMessage(ticketId: string, createdAt: string, messageId: string): Promise<boolean> {
      const res = await dynamo.send(new GetCommand({ TableName: tableName, Key: keys.message(ticketId, createdAt, messageId), ConsistentRead: true }));
      return Boolean(res.Item);
    },

    /** Tickets by id (BatchGetItem, at most 100), in the order asked; ids with no ticket are left out. */
    async getTickets(ids: string[]): Promise<Ticket[]> {
      if (ids.length === 0) return [];
      if (ids.length > 100) throw new Error('getTickets reads at most 100 tickets at once');
      const items = await batchGetAll(tableName, ids.map((id) => keys.ticket(id)), { consistentRead: true });
      const found = new Map(items.map((item) => [item.id as string, toTicket(item)]));
      return ids.flatMap((id) => (found.has(id) ? [found.get(id)!] : []));
    },
  };
  return store;
}

export type TicketStore = ReturnType<typeof ticketStore>;

function toTicket(item: Record<string, unknown>): Ticket {
  return withoutStorageAttributes(item) as unknown as Ticket;
}

/** Fields a commuting change may rewrite besides its bookkeeping: lists it extends, guarded on their old value. */
const COMMUTING_LISTS = ['mailThread', 'participants'] as const satisfies readonly (keyof Ticket)[];

/**
 * Whether a change only adds to the ticket (a message, an event) without moving
 * its state: the fields it touches are the version, updatedAt and at most the
 * lists above. Returns those lists to write, or undefined when the change needs
 * the version-checked path (a status, a clock, a level...).
 */
export function commutingChange(before: Ticket, after: Ticket): (keyof Ticket)[] | undefined {
  const fields = new Set([...Object.keys(before), ...Object.keys(after)] as (keyof Ticket)[]);
  const lists: (keyof Ticket)[] = [];
  for (const f of fields) {
    if (f === 'version' || f === 'updatedAt' || JSON.stringify(before[f]) === JSON.stringify(after[f])) continue;
    if (!(COMMUTING_LISTS as readonly string[]).includes(f)) return undefined;
    lists.push(f);
  }
  return lists;
}
