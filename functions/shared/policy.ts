import { parsePolicy, type Policy } from '#core/policy';
import raw from '../../config/policy.json' with { type: 'json' };

/**
 * The desk's policy: config/policy.json over the built-in defaults, bundled
 * into each function and checked when it loads, so a bad edit stops the
 * function at start-up (and `cdk synth` before that), never a ticket.
 */
export const policy: Policy = parsePolicy(raw);
