import { Logger } from '@aws-lambda-powertools/logger';

/** One logger per function. Mail bodies and addresses never go in at info level. */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'helpdesk' });
