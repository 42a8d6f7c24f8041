/**
 * Keyboard shortcuts: one table drives both the key handling and the "?" help
 * dialog, so what is documented is what works.
 */
export type ShortcutAction = 'next' | 'prev' | 'open' | 'reply' | 'note' | 'assignMe' | 'escalate' | 'search' | 'help' | 'queue' | 'refresh';
export type ShortcutScope = 'global' | 'queue' | 'ticket';

export interface Shortcut {
  keys: string[];
  action: ShortcutAction;
  scope: ShortcutScope;
}

export const shortcuts: readonly Shortcut[] = [
  { keys: ['j'], action: 'next', scope: 'queue' },
  { keys: ['k'], action: 'prev', scope: 'queue' },
  { keys: ['o', 'Enter'], action: 'open', scope: 'queue' },
  { keys: ['a'], action: 'assignMe', scope: 'queue' },
  { keys: ['a'], action: 'assignMe', scope: 'ticket' },
  { keys: ['r'], action: 'reply', scope: 'ticket' },
  { keys: ['n'], action: 'note', scope: 'ticket' },
  { keys: ['e'], action: 'escalate', scope: 'ticket' },
  { keys: ['u'], action: 'queue', scope: 'ticket' },
  { keys: ['.'], action: 'refresh', scope: 'global' },
  { keys: ['/'], action: 'search', scope: 'global' },
  { keys: ['?'], action: 'help', scope: 'global' },
];

export interface KeyLike {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  /** Tag name of the event target, upper or lower case. */
  targetTag?: string;
  targetEditable?: boolean;
  /** The target's type, for inputs (a checkbox is not typing). */
  targetType?: string;
}

const TYPING_INPUTS = new Set(['text', 'search', 'email', 'password', 'number', 'url', 'tel', 'date', 'datetime-local', 'month', 'week', 'time', '']);

/** True when the key goes to a field being typed in: shortcuts stay out of the way. */
export function isTyping(e: KeyLike): boolean {
  if (e.targetEditable) return true;
  const tag = (e.targetTag ?? '').toLowerCase();
  if (tag === 'textarea' || tag === 'select') return true;
  if (tag === 'input') return TYPING_INPUTS.has((e.targetType ?? '').toLowerCase());
  return false;
}

/**
 * The action a key press means in a scope, or undefined. Modified keys (Ctrl,
 * Cmd, Alt) belong to the browser; Enter is left to links and buttons that
 * have focus, except on the queue where it opens the selected row.
 */
export function actionFor(e: KeyLike, scope: ShortcutScope): ShortcutAction | undefined {
  if (e.ctrlKey || e.metaKey || e.altKey) return undefined;
  if (isTyping(e)) return undefined;
  const tag = (e.targetTag ?? '').toLowerCase();
  if (e.key === 'Enter' && (tag === 'a' || tag === 'button' || tag === 'input' || tag === 'summary')) return undefined;
  const hit = shortcuts.find((s) => (s.scope === scope || s.scope === 'global') && s.keys.includes(e.key));
  return hit?.action;
}
