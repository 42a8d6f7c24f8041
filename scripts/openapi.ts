/**
 * `npm run openapi`: writes docs/openapi.json from the function manifest's routes
 * (lib/definitions/openapi.ts reads them).
 * tests/unit/openapi.test.ts fails while the committed file differs from this output.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { openApiDocument } from '../lib/definitions/openapi.ts';

export const openApiPath = resolve(import.meta.dirname, '../docs/openapi.json');
export const openApiText = () => `${JSON.stringify(openApiDocument(), null, 2)}\n`;

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  writeFileSync(openApiPath, openApiText());
  console.log(`Wrote ${openApiPath}`);
}
