import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * `npm run dev:dashboard` serves the app with hot reload; `/config.json` then comes
 * from the running local mode's endpoints.json (start `npm start` first).
 */
function localConfig(): Plugin {
  return {
    name: 'helpdesk-local-config',
    configureServer(server) {
      server.middlewares.use('/config.json', (_req, res) => {
        const file = join(process.env.HELPDESK_HOME ?? join(here, '..', '.helpdesk'), 'endpoints.json');
        if (!existsSync(file)) {
          res.statusCode = 503;
          res.end('Start local mode first (npm start): there is no .helpdesk/endpoints.json yet');
          return;
        }
        const e = JSON.parse(readFileSync(file, 'utf8')) as { apiUrl: string; region: string; auth: { url: string; clientId: string } };
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ apiUrl: e.apiUrl, auth: { url: `${e.auth.url}/`, clientId: e.auth.clientId, region: e.region }, defaultLanguage: 'en' }));
      });
    },
  };
}

export default defineConfig({
  root: here,
  // Absolute asset paths: the SPA fallback serves index.html at any depth.
  base: '/',
  plugins: [localConfig()],
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: join(here, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
  },
  server: { host: '127.0.0.1', port: 5173, strictPort: false },
});
