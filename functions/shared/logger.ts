import { Logger } from '@aws-lambda-powertools/logger';
import { runtime } from './config.ts';

/**
 * One logger per function (the service name and level come from
 * POWERTOOLS_SERVICE_NAME and POWERTOOLS_LOG_LEVEL). Personal data (mail
 * addresses, names, subjects, bodies, raw MIME) never goes in at info, warn or
 * debug: log ticket ids, message ids, counts and machine-readable reasons.
 * The invocation event is never logged (it carries all of those).
 */
export const logger = new Logger({ serviceName: runtime.serviceName });
