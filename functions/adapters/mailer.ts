import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { traced } from './tracing.ts';

/**
 * Outbound mail through SESv2 with raw MIME, so we control every header:
 * threading (In-Reply-To/References), the Reply-To that carries the ticket
 * token, and the markers that stop other systems auto-replying to us.
 */
export interface OutgoingMail {
  from: string;
  to: string[];
  cc?: string[];
  replyTo: string;
  subject: string;
  text: string;
  html: string;
  /** Our own Message-ID (SES replaces it; we record both). Without brackets. */
  messageId: string;
  inReplyTo?: string;
  references?: string[];
  /** RFC 3834: auto-replied for acknowledgements, auto-generated for notifications, false for a person's reply. */
  automatic: 'auto-replied' | 'auto-generated' | false;
  attachments?: { filename: string; contentType: string; content: Buffer }[];
  language?: string;
}

export async function composeMime(m: OutgoingMail): Promise<Buffer> {
  const headers: Record<string, string> = {
    // Ask Exchange/Outlook not to send out-of-office or read receipts back to the desk.
    'X-Auto-Response-Suppress': 'All',
  };
  if (m.automatic) headers['Auto-Submitted'] = m.automatic;
  if (m.language) headers['Content-Language'] = m.language;
  const composer = new MailComposer({
    from: m.from,
    to: m.to,
    cc: m.cc,
    replyTo: m.replyTo,
    subject: m.subject,
    text: m.text,
    html: m.html,
    messageId: `<${m.messageId}>`,
    inReplyTo: m.inReplyTo ? `<${m.inReplyTo}>` : undefined,
    references: m.references?.length ? m.references.map((r) => `<${r}>`) : undefined,
    headers,
    attachments: m.attachments?.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
  });
  return composer.compile().build();
}

export function mailer(client = traced(new SESv2Client({ maxAttempts: 3 })), configurationSet?: string) {
  return {
    /** Sends and returns SES's message id: the Message-ID recipients will see is `<id@…amazonses.com>`. */
    async send(m: OutgoingMail): Promise<{ sesMessageId: string }> {
      const raw = await composeMime(m);
      const res = await client.send(
        new SendEmailCommand({
          Content: { Raw: { Data: raw } },
          ...(configurationSet ? { ConfigurationSetName: configurationSet } : {}),
        }),
      );
      return { sesMessageId: res.MessageId! };
    },
  };
}
