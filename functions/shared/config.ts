import { required } from './env.ts';

/**
 * Configuration, read once when the function loads. A missing value stops the
 * function at start-up with a clear message instead of failing mid-request.
 */
export const config = {
  tableName: required('TABLE_NAME'),
};
