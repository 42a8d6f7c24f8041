import type { Context } from 'aws-lambda';
import middy, { type MiddlewareObj, type MiddyfiedHandler } from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { logger } from './logger.ts';
import { runtime } from './config.ts';
import { tracer } from '#adapters/tracing';

/**
 * Logs, metrics and traces, the same way in every function: one Logger, one
 * Metrics and one Tracer per process, applied to each handler by
 * `observability()` (a middy middleware) or `observed(handler)`.
 *
 * - Logs: the Lambda context (request id, cold start) on every line; the event
 *   is never logged.
 * - Metrics: CloudWatch embedded metric format in namespace `Helpdesk`, with the
 *   `service` dimension only; stored metrics
 *   are flushed when the invocation ends, success or failure. Metric names live
 *   in lib/definitions/metrics.ts, where the alarms read them.
 * - Traces: X-Ray, with the handler's response left out (pages and tickets are
 *   personal data) and AWS SDK clients traced through `traced(client)`
 *   (adapters/tracing.ts, which holds the one tracer).
 *
 * Off the Lambda runtime (local mode, tests) the tracer is off by itself, and
 * local mode also sets POWERTOOLS_TRACE_ENABLED=false and
 * POWERTOOLS_METRICS_DISABLED=true: no X-Ray daemon is needed, no metric lines
 * flood the terminal.
 */
export { logger };
export { MetricUnit };

export { tracer };

/** Metrics' own chatter: an invocation that emitted nothing is normal here, not a warning. */
const metricsLogger = {
  debug: (...a: unknown[]) => logger.debug(String(a[0])),
  info: (...a: unknown[]) => logger.info(String(a[0])),
  warn: (...a: unknown[]) => (String(a[0]).startsWith('No application metrics') ? logger.debug(String(a[0])) : logger.warn(String(a[0]))),
  error: (...a: unknown[]) => logger.error(String(a[0])),
};

export const metrics = new Metrics({
  namespace: runtime.metricsNamespace,
  serviceName: runtime.serviceName,
  logger: metricsLogger,
});

type AnyMiddleware = MiddlewareObj<any, any, Error, Context>;

/**
 * The three Powertools middlewares as one: injectLambdaContext, then
 * captureLambdaHandler, then logMetrics; undone
 * in reverse. Register it first, so an error another middleware already
 * answered with a 4xx (a client's mistake) closes the trace as a success,
 * and only a 5xx or an unanswered error is recorded as a fault.
 */
export function observability(): AnyMiddleware {
  const parts: AnyMiddleware[] = [
    injectLambdaContext(logger, { logEvent: false }) as AnyMiddleware,
    captureLambdaHandler(tracer, { captureResponse: false }) as AnyMiddleware,
    // No ColdStart metric: it has a function_name dimension, so each function would be one more
    // custom metric ($0.30 a month each, more than 1,000 tickets' traffic); Lambda's REPORT lines
    // (Init Duration) and X-Ray's initialization segments tell cold starts already.
    logMetrics(metrics, { captureColdStartMetric: false }) as AnyMiddleware,
  ];
  const reversed = [...parts].reverse();
  return {
    before: async (request) => {
      // middy hands a handler invoked by hand (a test, a script) an empty context: no function name, no time budget.
      for (const p of parts) await p.before?.(request);
    },
    after: async (request) => {
      for (const p of reversed) await p.after?.(request);
    },
    onError: async (request) => {
      const status = (request.response as { statusCode?: unknown } | undefined)?.statusCode;
      const answered = typeof status === 'number' && status < 500;
      for (const p of reversed) await (answered ? p.after : p.onError)?.(request);
    },
  };
}

/** Marks a handler as going through observability(); the static test looks for it. */
export const OBSERVED = Symbol.for('helpdesk.observed');

/** Wraps a plain handler (SQS, Step Functions task, customer page) with observability(). */
export function observed<E, R>(handler: (event: E, context: Context) => Promise<R>): MiddyfiedHandler<E, R, Error, Context> {
  return markObserved(middy<E, R, Error, Context>().use(observability()).handler(handler));
}

export function markObserved<T extends object>(handler: T): T {
  Object.defineProperty(handler, OBSERVED, { value: true });
  return handler;
}

/** True for a handler built by observed() or agentRoute(). */
export const isObserved = (handler: unknown): boolean => typeof handler === 'function' && (handler as unknown as Record<symbol, unknown>)[OBSERVED] === true;
