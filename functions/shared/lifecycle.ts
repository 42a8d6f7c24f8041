import { lifecycleClient } from '#adapters/lifecycle-client';
import { config } from './config.ts';
import { required } from './env.ts';

/** The ticket lifecycle's executions, for functions that start, wake or stop them. */
export const lifecycle = lifecycleClient(config.tableName, required('STATE_MACHINE_ARN'));
