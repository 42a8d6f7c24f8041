import { SendTaskSuccessCommand, SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './dynamo.ts';
import { keys } from './keys.ts';
import { traced } from './tracing.ts';

/**
 * The ticket's Step Functions execution, as the rest of the code sees it:
 * start one per ticket (named after it, so a second start is a no-op), wake
 * it when the ticket changes, stop it when the ticket closes by hand.
 *
 * The task token of the wait in progress lives in the ticket's partition
 * (`TICKET#id / WORKFLOW`), never on the ticket item, so it never reaches an
 * API response.
 */
export interface Lifecycle {
  start(ticketId: string): Promise<void>;
  /** Wakes the execution's current wait, if any: the ticket changed under it. */
  signal(ticketId: string): Promise<void>;
  stop(ticketId: string, cause: string): Promise<void>;
  /** Called by the wait step: keeps the token where `signal` finds it. */
  rememberWait(ticketId: string, wait: { token: string; seq: number; phase: string }): Promise<void>;
  /** Ends a wait at once (used when the ticket moved on before the wait began). */
  wake(token: string): Promise<void>;
}

/** A token that was already used, timed out, or belongs to a stopped execution: nothing is waiting. */
const nothingWaiting = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

/** Without `stateMachineArn` it only wakes waits (start and stop refuse): all a function whose needs only wake is given. */
export function lifecycleClient(tableName: string, stateMachineArn?: string, sfn = traced(new SFNClient({ maxAttempts: 3 }))): Lifecycle {
  const machine = () => stateMachineArn || Promise.reject(new Error('This function may only wake the lifecycle: it has no STATE_MACHINE_ARN'));
  const executionArn = async (ticketId: string) => `${(await machine()).replace(':stateMachine:', ':execution:')}:${ticketId}`;
  const wake = async (token: string) => {
    try {
      await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ signal: 'changed' }) }));
    } catch (err) {
      if (!nothingWaiting.has((err as Error).name)) throw err;
    }
  };
  return {
    async start(ticketId) {
      try {
        await sfn.send(new StartExecutionCommand({ stateMachineArn: await machine(), name: ticketId, input: JSON.stringify({ ticketId }) }));
      } catch (err) {
        // Started before (a retry, a redelivered mail): one execution per ticket.
        if ((err as Error).name !== 'ExecutionAlreadyExists') throw err;
      }
    },
    async signal(ticketId) {
      const res = await dynamo.send(new GetCommand({ TableName: tableName, Key: keys.workflow(ticketId), ConsistentRead: true }));
      const token = res.Item?.token as string | undefined;
      if (token) await wake(token);
    },
    async stop(ticketId, cause) {
      try {
        await sfn.send(new StopExecutionCommand({ executionArn: await executionArn(ticketId), error: 'Ticket.Closed', cause }));
      } catch (err) {
        if ((err as Error).name !== 'ExecutionDoesNotExist') throw err;
      }
    },
    async rememberWait(ticketId, wait) {
      await dynamo.send(new PutCommand({ TableName: tableName, Item: { ...keys.workflow(ticketId), type: 'workflow', ...wait, at: new Date().toISOString() } }));
    },
    wake,
  };
}
