import { required } from './env.ts';
import { signingSecret } from './signing-secret.ts';
import { policy } from './policy.ts';

/**
 * Mail configuration, read once at start-up; a missing or weak value stops the
 * function before it handles any mail.
 */
const supportAddresses = required('SUPPORT_ADDRESSES')
  .split(',')
  .map((a) => a.trim().toLowerCase())
  .filter(Boolean);
if (!supportAddresses.every((a) => /^[^\s@+]+@[^\s@]+$/.test(a))) {
  throw new Error(`SUPPORT_ADDRESSES must be plain addresses such as support@example.com, not "${process.env.SUPPORT_ADDRESSES}"`);
}
const replyTokenSecret = await signingSecret();

export const mailConfig = {
  tableName: required('TABLE_NAME'),
  mailBucket: required('MAIL_BUCKET'),
  supportAddresses,
  fromAddress: (process.env.FROM_ADDRESS ?? supportAddresses[0]!).toLowerCase(),
  deskName: process.env.DESK_NAME ?? 'Help desk',
  replyTokenSecret,
  defaultLanguage: process.env.DEFAULT_LANGUAGE === 'pt-BR' ? ('pt-BR' as const) : ('en' as const),
  /** SES's S3 action takes mail up to 40 MB. */
  maxMailBytes: 40 * 1024 * 1024,
  /** Acknowledgements per recipient address and per recipient domain per hour: config/policy.json `acknowledgements`. */
  autoReplyCap: policy.acknowledgements.perAddressPerHour,
  autoReplyDomainCap: policy.acknowledgements.perDomainPerHour,
  configurationSet: process.env.SES_CONFIGURATION_SET || undefined,
  /**
   * The public base URL of the customer pages (`PUBLIC_URL`), for the status
   * link in acknowledgements; optional: without it no link is sent. Read on
   * use, not at load: local mode learns it only once its API listens, after
   * some functions loaded this module.
   */
  get publicUrl(): string | undefined {
    return readPublicUrl(process.env.PUBLIC_URL);
  },
};

/** An http(s) base URL without a trailing slash, or undefined when unset; anything else stops the function. */
function readPublicUrl(value: string | undefined): string | undefined {
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`PUBLIC_URL must be an http(s) URL, not "${value}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`PUBLIC_URL must be an http(s) URL, not "${value}"`);
  return url.href.replace(/\/+$/, '');
}

// Checked at load too, when it is already known (in AWS), so a bad value fails fast.
readPublicUrl(process.env.PUBLIC_URL);
