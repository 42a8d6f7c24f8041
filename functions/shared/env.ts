/** A setting the function cannot start without: a missing one stops it at load, with its name. */
export function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Missing environment variable ${name}: the function cannot start without it`);
  return value;
}
