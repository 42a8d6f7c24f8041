import { render } from 'preact';
import './styles.css';
import { loadConfig } from './config.ts';
import { configureAuth } from './auth.ts';
import { configureApi } from './api.ts';
import { detectLanguage, setLanguage, t } from './i18n/index.ts';
import { App, LANGUAGE_KEY } from './app.tsx';

const root = document.getElementById('app')!;

function storedLanguage() {
  try {
    return localStorage.getItem(LANGUAGE_KEY);
  } catch {
    return null;
  }
}

loadConfig().then(
  (config) => {
    const lang = detectLanguage({ stored: storedLanguage(), browser: navigator.languages ?? [navigator.language], fallback: config.defaultLanguage });
    setLanguage(lang);
    document.documentElement.lang = lang;
    configureAuth(config);
    configureApi(config);
    root.textContent = '';
    render(<App config={config} />, root);
  },
  (err: Error) => {
    setLanguage(detectLanguage({ stored: storedLanguage(), browser: navigator.languages ?? [navigator.language] }));
    root.textContent = '';
    render(
      <main class="boot-error">
        <div role="alert">
          <h1>{t('boot.title')}</h1>
          <p>{t('boot.config')}</p>
          <pre>{err.message}</pre>
        </div>
      </main>,
      root,
    );
  },
);
