import { dirname, extname, join } from 'node:path';
import { Worker, WorkerOptions } from 'node:worker_threads';

/**
 * A worker thread running the module `name` that sits beside `filename`, compiled or (in tests)
 * from source. From source, the thread needs the TypeScript loader this process was given. Only
 * then: V8 flags such as --max-old-space-size, which a compiled service may be started with, are
 * refused in a thread's execArgv, and left out it inherits what applies.
 */
export function threadBeside(filename: string, name: string, options: WorkerOptions = {}): Worker {
  const extension = extname(filename);
  const fromSource = extension === '.ts' ? { execArgv: process.execArgv } : {};
  return new Worker(join(dirname(filename), `${name}${extension}`), { ...options, ...fromSource });
}
