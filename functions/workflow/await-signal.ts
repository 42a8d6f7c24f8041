import { z } from 'zod';
import { configFor } from '#shared/config';
import { lifecycleFor } from '#shared/lifecycle';
import { ticketStore } from '#adapters/ticket-store';
import { observed } from '#shared/observability';

const config = await configFor('AwaitSignal');
const store = ticketStore(config.tableName);
// Only wakes tokens: it needs no state machine ARN (which would tie the function to the machine that calls it).
const lifecycle = lifecycleFor(config);

const waitEvent = z.object({
  taskToken: z.string().min(1).max(2048),
  ticketId: z.string().min(1).max(64),
  phase: z.string().max(32),
  seq: z.number().int().nonnegative(),
});

/**
 * The first half of every wait (`lambda:invoke.waitForTaskToken`): keeps the
 * task token where the API finds it, then reads the ticket. Whoever changes the
 * ticket saves it first and reads the token after; this function writes the
 * token first and reads the ticket after. So a change that lands while the wait
 * begins is always seen by one of the two, and the wait never sleeps through it.
 */
export const handler = observed(async (event: unknown): Promise<void> => {
  const wait = waitEvent.parse(event);
  await lifecycle.rememberWait(wait.ticketId, { token: wait.taskToken, seq: wait.seq, phase: wait.phase });
  const ticket = await store.getTicket(wait.ticketId);
  if (!ticket || (ticket.lifecycleSeq ?? 0) !== wait.seq) await lifecycle.wake(wait.taskToken);
});
