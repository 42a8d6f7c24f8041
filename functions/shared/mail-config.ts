import { required } from './env.ts';

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
/**
 * The reply-token signing key: in AWS a Secrets Manager secret, read once at
 * cold start (never placed in the function's environment); locally an
 * environment variable made per install.
 */
async function loadReplyTokenSecret(): Promise<string> {
  const arn = process.env.REPLY_TOKEN_SECRET_ARN;
  if (!arn) return required('REPLY_TOKEN_SECRET');
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const res = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: arn }));
  if (!res.SecretString) throw new Error('The reply-token secret has no string value');
  return res.SecretString;
}
const replyTokenSecret = await loadReplyTokenSecret();
if (replyTokenSecret.length < 32) throw new Error('The reply-token secret must be at least 32 characters');

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
  autoReplyCap: Number(process.env.AUTO_REPLY_CAP ?? 5),
  configurationSet: process.env.SES_CONFIGURATION_SET || undefined,
};
