import { z } from 'zod';

/**
 * SES event publishing: what a configuration set's SNS event destination puts on
 * the delivery-events queue, read and checked. An SQS body is the SNS envelope
 * (raw delivery off); its `Message` is the SES event, whose `mail.messageId` is
 * the id SES returned when we sent the mail.
 *
 * Only the fields we use are checked; unknown fields are allowed (AWS adds fields
 * over time), and every string and list has a bound. Bounce, Complaint,
 * DeliveryDelay and Reject are read; any other event type is `unsupported`.
 * The older identity notifications say `notificationType` instead of
 * `eventType` with the same body: they are read too.
 */

/** An SQS message is at most 256 KiB, and so is an SNS message. */
export const MAX_DELIVERY_EVENT_BYTES = 256 * 1024;
/** SES sends one mail to at most 50 recipients; a little headroom. */
const MAX_RECIPIENTS = 100;
/** What a recorded diagnostic keeps: enough to read the reason, never a whole transcript. */
const MAX_DIAGNOSTIC_CHARS = 300;

const address = z.string().min(1).max(1000);
const text = (max: number) => z.string().max(max);

const snsEnvelope = z
  .object({
    Type: z.literal('Notification'),
    MessageId: z.string().min(1).max(200),
    Message: z.string().max(MAX_DELIVERY_EVENT_BYTES),
  })
  .loose();

const mail = z
  .object({
    messageId: z.string().min(1).max(200),
    timestamp: text(40),
  })
  .loose();

const bounce = z
  .object({
    bounceType: z.enum(['Permanent', 'Transient', 'Undetermined']),
    bounceSubType: text(100).optional(),
    bouncedRecipients: z
      .array(
        z
          .object({
            emailAddress: address,
            action: text(100).nullish(),
            status: text(100).nullish(),
            diagnosticCode: text(10_000).nullish(),
          })
          .loose(),
      )
      .min(1)
      .max(MAX_RECIPIENTS),
    timestamp: text(40),
    feedbackId: z.string().min(1).max(200),
  })
  .loose();

const complaint = z
  .object({
    complainedRecipients: z
      .array(z.object({ emailAddress: address }).loose())
      .min(1)
      .max(MAX_RECIPIENTS),
    timestamp: text(40),
    feedbackId: z.string().min(1).max(200),
    complaintFeedbackType: text(100).nullish(),
    complaintSubType: text(100).nullish(),
  })
  .loose();

const deliveryDelay = z
  .object({
    delayType: text(100).optional(),
    timestamp: text(40),
    delayedRecipients: z.array(z.object({ emailAddress: address }).loose()).max(MAX_RECIPIENTS).optional(),
  })
  .loose();

const reject = z.object({ reason: text(1000).optional() }).loose();

const sesEvent = z.discriminatedUnion('eventType', [
  z.object({ eventType: z.literal('Bounce'), mail, bounce }).loose(),
  z.object({ eventType: z.literal('Complaint'), mail, complaint }).loose(),
  z.object({ eventType: z.literal('DeliveryDelay'), mail, deliveryDelay }).loose(),
  z.object({ eventType: z.literal('Reject'), mail, reject }).loose(),
]);

export const deliveryEventTypes = ['Bounce', 'Complaint', 'DeliveryDelay', 'Reject'] as const;
export type DeliveryEventType = (typeof deliveryEventTypes)[number];

export interface BouncedRecipient {
  email: string;
  status: string | null;
  action: string | null;
  diagnostic: string | null;
}

interface EventBase {
  /** The SES message id of the mail we sent (as SendEmail returned it). */
  sesMessageId: string;
  /** When SES reported the event (ISO 8601). */
  at: string;
  /**
   * Names this event whatever delivered it: SES's feedbackId for bounces and
   * complaints (a second publication of the same event keeps it), else the SNS
   * MessageId (a redelivery keeps it).
   */
  eventKey: string;
  snsMessageId: string;
}

export type DeliveryEvent =
  | (EventBase & { type: 'Bounce'; bounceType: 'permanent' | 'transient' | 'undetermined'; bounceSubType: string | null; recipients: BouncedRecipient[] })
  | (EventBase & { type: 'Complaint'; feedbackType: string | null; recipients: string[] })
  | (EventBase & { type: 'DeliveryDelay'; delayType: string | null; recipients: string[] })
  | (EventBase & { type: 'Reject'; reason: string | null });

/**
 * What a queue body was, when it was not an event we act on. `reason` is a
 * machine-readable word, safe to log: it never carries the body or an address.
 */
export type UnreadableReason = 'too-large' | 'not-json' | 'not-sns-notification' | 'message-not-json' | 'unsupported-type' | 'invalid-shape';

export type ReadResult = { ok: true; event: DeliveryEvent } | { ok: false; reason: UnreadableReason; eventType?: string };

const isoOr = (value: string, fallback: string) => {
  const t = Date.parse(value);
  return Number.isNaN(t) ? fallback : new Date(t).toISOString();
};

const clip = (s: string | null | undefined, max: number) => (s == null ? null : s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** Bare lower-case address from `Name <addr>` or `addr`. */
const bareAddress = (s: string) => (/<([^<>]+)>\s*$/.exec(s)?.[1] ?? s).trim().toLowerCase();

/** SQS body → one SES delivery event, or why it is not one. Never throws. */
export function readDeliveryEvent(body: string): ReadResult {
  if (body.length > MAX_DELIVERY_EVENT_BYTES || new TextEncoder().encode(body).length > MAX_DELIVERY_EVENT_BYTES) return { ok: false, reason: 'too-large' };
  let outer: unknown;
  try {
    outer = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'not-json' };
  }
  const env = snsEnvelope.safeParse(outer);
  if (!env.success) return { ok: false, reason: 'not-sns-notification' };
  let inner: unknown;
  try {
    inner = JSON.parse(env.data.Message);
  } catch {
    return { ok: false, reason: 'message-not-json' };
  }
  if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) return { ok: false, reason: 'invalid-shape' };
  const record = inner as Record<string, unknown>;
  // Identity notifications name the type `notificationType`; event publishing, `eventType`.
  const type = record.eventType ?? record.notificationType;
  if (typeof type !== 'string') return { ok: false, reason: 'invalid-shape' };
  if (!(deliveryEventTypes as readonly string[]).includes(type)) {
    return { ok: false, reason: 'unsupported-type', eventType: type.length <= 40 && /^[A-Za-z ]+$/.test(type) ? type : 'other' };
  }
  const parsed = sesEvent.safeParse({ ...record, eventType: type });
  if (!parsed.success) return { ok: false, reason: 'invalid-shape', eventType: type };

  const e = parsed.data;
  const snsMessageId = env.data.MessageId;
  const base = { sesMessageId: e.mail.messageId, snsMessageId };
  const fallbackAt = isoOr(e.mail.timestamp, new Date(0).toISOString());
  switch (e.eventType) {
    case 'Bounce':
      return {
        ok: true,
        event: {
          ...base,
          type: 'Bounce',
          at: isoOr(e.bounce.timestamp, fallbackAt),
          eventKey: `feedback:${e.bounce.feedbackId}`,
          bounceType: e.bounce.bounceType.toLowerCase() as 'permanent' | 'transient' | 'undetermined',
          bounceSubType: e.bounce.bounceSubType ?? null,
          recipients: e.bounce.bouncedRecipients.map((r) => ({
            email: bareAddress(r.emailAddress),
            status: r.status ?? null,
            action: r.action ?? null,
            diagnostic: clip(r.diagnosticCode, MAX_DIAGNOSTIC_CHARS),
          })),
        },
      };
    case 'Complaint':
      return {
        ok: true,
        event: {
          ...base,
          type: 'Complaint',
          at: isoOr(e.complaint.timestamp, fallbackAt),
          eventKey: `feedback:${e.complaint.feedbackId}`,
          feedbackType: e.complaint.complaintFeedbackType ?? null,
          recipients: e.complaint.complainedRecipients.map((r) => bareAddress(r.emailAddress)),
        },
      };
    case 'DeliveryDelay':
      return {
        ok: true,
        event: {
          ...base,
          type: 'DeliveryDelay',
          at: isoOr(e.deliveryDelay.timestamp, fallbackAt),
          eventKey: `sns:${snsMessageId}`,
          delayType: e.deliveryDelay.delayType ?? null,
          recipients: (e.deliveryDelay.delayedRecipients ?? []).map((r) => bareAddress(r.emailAddress)),
        },
      };
    case 'Reject':
      return { ok: true, event: { ...base, type: 'Reject', at: fallbackAt, eventKey: `sns:${snsMessageId}`, reason: e.reject.reason ?? null } };
  }
}
