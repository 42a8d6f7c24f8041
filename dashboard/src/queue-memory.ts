/** The queue view the agent came from, so "back to the queue" (and `u`) keeps its filters. */
let last = '/';

export function rememberQueue(url: string) {
  last = url;
}

export const lastQueueUrl = () => last;
