import { useEffect, useRef, useState } from 'preact/hooks';
import { actionFor, type ShortcutAction, type ShortcutScope } from './shortcuts.ts';

/** The current time, ticking: countdowns re-render without refetching. */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
  return now;
}

/**
 * Calls `load` every `intervalMs` while the tab is visible, and at once when
 * it becomes visible again. Never two at a time.
 */
export function usePolling(load: () => Promise<unknown>, intervalMs: number, enabled = true) {
  const ref = useRef(load);
  ref.current = load;
  useEffect(() => {
    if (!enabled) return;
    let busy = false;
    const tick = async () => {
      if (busy || document.hidden) return;
      busy = true;
      try {
        await ref.current();
      } catch {
        // The page shows its own error state; polling simply goes on.
      } finally {
        busy = false;
      }
    };
    const id = setInterval(tick, intervalMs);
    const onVisible = () => {
      if (!document.hidden) void tick();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearInterval(id);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [intervalMs, enabled]);
}

type Handlers = Partial<Record<ShortcutAction, (e: KeyboardEvent) => void>>;
const registry: { scope: ShortcutScope; handlers: { current: Handlers } }[] = [];

/** Page shortcuts: the most recently mounted page scope gets the key first, then global ones. */
export function useShortcuts(scope: ShortcutScope, handlers: Handlers) {
  const ref = useRef(handlers);
  ref.current = handlers;
  useEffect(() => {
    const entry = { scope, handlers: ref };
    registry.push(entry);
    return () => void registry.splice(registry.indexOf(entry), 1);
  }, [scope]);
}

/** Installed once by the shell. */
export function installShortcutListener(): () => void {
  const onKey = (e: KeyboardEvent) => {
    if (e.defaultPrevented) return;
    const target = e.target as HTMLElement | null;
    // Inside an open dialog, only the dialog's own keys apply.
    if (target?.closest?.('dialog[open]')) return;
    const like = {
      key: e.key,
      ctrlKey: e.ctrlKey,
      metaKey: e.metaKey,
      altKey: e.altKey,
      targetTag: target?.tagName,
      targetEditable: target?.isContentEditable,
      targetType: (target as HTMLInputElement | null)?.type,
    };
    for (let i = registry.length - 1; i >= 0; i--) {
      const entry = registry[i]!;
      const action = actionFor(like, entry.scope);
      const handler = action && entry.handlers.current[action];
      if (handler) {
        e.preventDefault();
        handler(e);
        return;
      }
    }
  };
  document.addEventListener('keydown', onKey);
  return () => document.removeEventListener('keydown', onKey);
}
