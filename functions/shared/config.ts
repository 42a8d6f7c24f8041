/**
 * Configuration, read once when the function loads. A missing value stops the
 * function at start-up with a clear message instead of failing mid-request.
 */
function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Missing environment variable ${name}: the function cannot start without it`);
  return value;
}

export const config = {
  tableName: required('TABLE_NAME'),
};
