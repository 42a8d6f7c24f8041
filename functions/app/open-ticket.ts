import { openTicket as ticketOpening, type Actor, type AuditEvent, type MailOrigin, type Message, type NewTicketInput, type Ticket } from '#core/ticket';
import { triageNew, type TriageModelInUse } from '#core/lifecycle';
import { detectLanguage, languageDetector } from '#core/language';
import type { Policy } from '#core/policy';

/**
 * Opening a ticket, whatever the channel (an agent's POST /tickets, the web
 * form, a mail): its number, triage, the ticket with its opening message and
 * creation event in one conditional write, then its lifecycle. What differs
 * per channel comes in the request: an idempotency key, a claim taken before
 * the write (and released if the write fails), what to record once it is
 * stored. Resuming an opening that stopped half-way (a retry finding the
 * ticket already stored) stays with the caller, which knows how it finds it.
 */
export interface OpenTicketDeps {
  tickets: {
    nextTicketNumber(): Promise<number>;
    createTicket(ticket: Ticket, message: Message, event: AuditEvent, idempotency?: Idempotency): Promise<StoreAnswer>;
  };
  /** Whether a department exists: triage routes only to one that does. */
  knownDepartment(id: string): Promise<boolean>;
  lifecycle: { start(ticketId: string): Promise<unknown> };
  policy: Policy;
  /** The learned triage model in use (triage-model-loader.ts); absent or null: the rules alone. */
  triageModel?(): Promise<TriageModelInUse | null>;
}

export interface Idempotency {
  caller: string;
  key: string;
  requestHash: string;
}

type StoreAnswer = { created: Ticket } | { alreadyExists: true } | { replayOf: { ticketId: string; requestHash: string } } | { inFlight: true };

export interface OpenTicketRequest<Held> {
  input: NewTicketInput;
  actor: Actor;
  /** When it was opened (a mail: when it was received). */
  at: string;
  origin?: MailOrigin;
  /** What triage reads; by default the ticket's own subject, body and requester. False: not routed (spam is kept for review). */
  triage?: false | { subject: string; body: string; requesterEmail: string };
  /**
   * The language the customer wrote in (the web form's), for our mails and pages on this ticket.
   * A stated language (this, or a mail's Content-Language in `origin`) wins; without one, the
   * language of the subject and body when the detector is sure, else none (the desk default).
   */
  language?: string;
  idempotency?: Idempotency;
  /** Taken before the write; an answer other than undefined stops the opening (another request got there first). */
  claim?(ticket: Ticket): Promise<Held | undefined>;
  /** Gives the claim back when the write fails or finds the ticket already there, so the same request may be sent again. */
  release?(ticket: Ticket): Promise<void>;
  /** What the channel records once the ticket is stored, before its lifecycle starts. */
  stored?(ticket: Ticket): Promise<void>;
}

export type OpenTicketOutcome<Held> =
  | { opened: Ticket }
  /** A ticket with this id is already stored: a redelivered mail, or (random ids) a collision. */
  | { alreadyExists: Ticket }
  /** The idempotency key was taken by a concurrent request: the ticket it created, or still in flight. */
  | { replayOf: { ticketId: string; requestHash: string } }
  | { inFlight: true }
  | ([Held] extends [never] ? never : { held: Held });

export async function openTicket<Held = never>(request: OpenTicketRequest<Held>, deps: OpenTicketDeps): Promise<OpenTicketOutcome<Held>> {
  const { input } = request;
  const { tickets, policy } = deps;
  const number = await tickets.nextTicketNumber();
  const triageBy = request.triage ?? { subject: input.subject, body: input.body, requesterEmail: input.requester.email };
  const triaged = triageBy === false ? undefined : await triageNew(triageBy, policy, deps.knownDepartment, await deps.triageModel?.());
  const opening = ticketOpening(input, number, request.actor, request.at, policy, request.origin, triaged);
  const language = request.language ?? opening.ticket.language ?? detectLanguage(input.subject, input.body, await languageDetector()).language;
  const ticket = language === undefined || language === opening.ticket.language ? opening.ticket : { ...opening.ticket, language };

  const held = await request.claim?.(ticket);
  // Only a request with a claim can be held (the outcome type has no `held` without one).
  if (held !== undefined) return { held } as OpenTicketOutcome<Held>;
  let answer: StoreAnswer;
  try {
    answer = await tickets.createTicket(ticket, opening.message, opening.event, request.idempotency);
  } catch (err) {
    await request.release?.(ticket);
    throw err;
  }
  if ('alreadyExists' in answer) {
    await request.release?.(ticket);
    return { alreadyExists: ticket };
  }
  if ('inFlight' in answer) return answer;
  if ('replayOf' in answer) return answer;

  await request.stored?.(ticket);
  // Started after the ticket is stored, so the lifecycle always finds it; spam gets none until an agent releases it.
  if (!ticket.spam) await deps.lifecycle.start(ticket.id);
  return { opened: ticket };
}
