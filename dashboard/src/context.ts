import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { AppConfig } from './config.ts';
import type { Session } from './auth.ts';
import type { Language } from './i18n/index.ts';
import type { Department } from './types.ts';

export interface AppState {
  config: AppConfig;
  session: Session;
  lang: Language;
  departments: Department[];
}

export const AppContext = createContext<AppState | null>(null);

export function useApp(): AppState {
  const s = useContext(AppContext);
  if (!s) throw new Error('AppContext missing');
  return s;
}

/** A department's name in the agent's language. */
export function departmentName(departments: Department[], id: string | null | undefined, lang: Language): string | undefined {
  if (!id) return undefined;
  const d = departments.find((x) => x.id === id);
  return d ? (d.name[lang] ?? d.name.en ?? id) : id;
}
