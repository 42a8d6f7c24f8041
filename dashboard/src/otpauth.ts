/**
 * What an authenticator app needs to add the help desk, without a QR library:
 * the key grouped for typing, and the otpauth:// link (Google Authenticator's
 * key-URI format, which the common apps open) for a phone that opens links.
 */
export const TOTP_ISSUER = 'Help desk';

/** "ABCDEFGH…" as "ABCD EFGH …", four characters a group. */
export const groupSecret = (secret: string) => secret.replace(/\s/g, '').match(/.{1,4}/g)?.join(' ') ?? '';

/** otpauth://totp/Help%20desk:<email>?secret=…&issuer=Help%20desk&algorithm=SHA1&digits=6&period=30 */
export function otpauthUri(secret: string, account: string, issuer = TOTP_ISSUER): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const query = `secret=${encodeURIComponent(secret)}&issuer=${encodeURIComponent(issuer)}&algorithm=SHA1&digits=6&period=30`;
  return `otpauth://totp/${label}?${query}`;
}
