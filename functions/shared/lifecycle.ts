import { lifecycleClient, type Lifecycle } from '#adapters/lifecycle-client';

/** What a function that only wakes waits may do: no state machine ARN, so no start or stop. */
export type LifecycleWaker = Pick<Lifecycle, 'signal' | 'rememberWait' | 'wake'>;

/** The ticket lifecycle's executions, for a function whose needs start, wake or stop them. */
export function lifecycleFor(config: { tableName: string; stateMachineArn: string }): Lifecycle;
export function lifecycleFor(config: { tableName: string }): LifecycleWaker;
export function lifecycleFor(config: { tableName: string; stateMachineArn?: string }): Lifecycle | LifecycleWaker {
  return lifecycleClient(config.tableName, config.stateMachineArn);
}
