// A function's worker thread starts here. Workers do not inherit the main thread's tsx hooks,
// so this plain module registers them before loading the worker itself (TypeScript, like the handlers).
import { register } from 'tsx/esm/api';

register();
await import('./function-worker.ts');
