import { z } from 'zod';

/**
 * Our own schema for what arrives on the inbound queue: an SNS envelope whose
 * Message is the notification an SES receipt rule's S3 action publishes.
 * (Powertools' SES schema describes the Lambda action's event, not this one.)
 * Unknown fields are allowed: AWS adds fields over time, and we only rely on these.
 */
const verdict = z.object({ status: z.string().max(40) }).loose();

export const sesNotification = z
  .object({
    notificationType: z.literal('Received'),
    mail: z
      .object({
        timestamp: z.string().max(40),
        source: z.string().max(1000),
        messageId: z.string().min(1).max(200),
        destination: z.array(z.string().max(1000)).max(100),
      })
      .loose(),
    receipt: z
      .object({
        recipients: z.array(z.string().max(1000)).min(1).max(100),
        spamVerdict: verdict.optional(),
        virusVerdict: verdict.optional(),
        spfVerdict: verdict.optional(),
        dkimVerdict: verdict.optional(),
        dmarcVerdict: verdict.optional(),
        action: z.object({ type: z.literal('S3'), bucketName: z.string().min(1).max(255), objectKey: z.string().min(1).max(1024) }).loose(),
      })
      .loose(),
  })
  .loose();
export type SesNotification = z.infer<typeof sesNotification>;

export const snsEnvelope = z.object({ Type: z.literal('Notification'), Message: z.string().max(256 * 1024) }).loose();

export class PoisonMessageError extends Error {}

/** SQS body → SES notification, or a PoisonMessageError saying what was wrong. */
export function readNotification(body: string): SesNotification {
  let outer: unknown;
  try {
    outer = JSON.parse(body);
  } catch {
    throw new PoisonMessageError('queue message is not JSON');
  }
  const env = snsEnvelope.safeParse(outer);
  if (!env.success) throw new PoisonMessageError('queue message is not an SNS notification');
  let inner: unknown;
  try {
    inner = JSON.parse(env.data.Message);
  } catch {
    throw new PoisonMessageError('SNS message is not JSON');
  }
  const n = sesNotification.safeParse(inner);
  if (!n.success) throw new PoisonMessageError(`not an SES S3-action notification: ${n.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  return n.data;
}
