import { parsePolicy, scalePolicy, type Policy } from '#core/policy';
import raw from '../../config/policy.json' with { type: 'json' };
import { runtime } from './config.ts';

/**
 * The desk's policy: config/policy.json over the built-in defaults, bundled
 * into each function and checked when it loads, so a bad edit stops the
 * function at start-up (and `cdk synth` before that), never a ticket.
 *
 * Local mode only: POLICY_OVERRIDES (JSON, from `npm start -- --policy file`)
 * goes over the file, and TIME_SCALE (`--time-scale N`) shortens every SLA
 * duration. The stack sets neither.
 */
const overrides = runtime.policyOverrides;
export const policy: Policy = scalePolicy(parsePolicy({ ...raw, ...overrides }, overrides ? 'config/policy.json with --policy' : undefined), runtime.timeScale);
