import { Tracer } from '@aws-lambda-powertools/tracer';
import { serviceName } from '#definitions/metrics';

/**
 * The process's one X-Ray tracer. It lives here, not in functions/shared, because the
 * adapters trace the AWS clients they create and adapters never import shared/
 * (tests/unit/layering.test.ts); shared/observability.ts wraps handlers with this tracer.
 * The service name is the manifest's: every function's POWERTOOLS_SERVICE_NAME is that name.
 * Off the Lambda runtime (local mode, tests) the tracer turns itself off.
 */
export const tracer = new Tracer({ serviceName });

/** Traces an AWS SDK v3 client's calls (service, operation, latency, errors; never payloads). */
export const traced = <T>(client: T): T => tracer.captureAWSv3Client(client);
