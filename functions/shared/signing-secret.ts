import { required } from './env.ts';

/**
 * The key that signs what we hand customers (reply tokens, survey and status
 * links): in AWS a Secrets Manager secret, read once at cold start (never
 * placed in the function's environment); locally an environment variable made
 * per install. Each use is domain-separated inside its own module.
 */
export async function signingSecret(): Promise<string> {
  const arn = process.env.REPLY_TOKEN_SECRET_ARN;
  let secret: string;
  if (!arn) {
    secret = required('REPLY_TOKEN_SECRET');
  } else {
    const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    const res = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: arn }));
    if (!res.SecretString) throw new Error('The signing secret has no string value');
    secret = res.SecretString;
  }
  if (secret.length < 32) throw new Error('The signing secret must be at least 32 characters');
  return secret;
}
