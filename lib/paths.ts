import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, resolved from this file so cwd (cdk, vitest, IDE) never matters. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const functionsDir = join(repoRoot, 'functions');
export const lockFile = join(repoRoot, 'package-lock.json');
