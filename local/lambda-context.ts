import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/** The context object Lambda hands a handler, built where the handler runs (local/function-worker.ts). */
export function lambdaContext(functionName: string, region: string, account: string, budgetMs: number, opts: { requestId?: string; memoryMb?: number } = {}): Context {
  const started = Date.now();
  const requestId = opts.requestId ?? randomUUID();
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, '/');
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${account}:function:${functionName}`,
    memoryLimitInMB: String(opts.memoryMb ?? 1024),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${day}/[$LATEST]${requestId.replace(/-/g, '')}`,
    getRemainingTimeInMillis: () => Math.max(0, started + budgetMs - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
