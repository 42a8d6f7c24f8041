import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/** The context object Lambda hands a handler, for local invocations (SQS poller, Step Functions). */
export function lambdaContext(functionName: string, region: string, account: string, budgetMs: number): Context {
  const started = Date.now();
  const requestId = randomUUID();
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, '/');
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${account}:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${day}/[$LATEST]${requestId.replace(/-/g, '')}`,
    getRemainingTimeInMillis: () => Math.max(0, started + budgetMs - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
