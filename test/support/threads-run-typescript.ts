import { REGISTER_TS } from './processes';

// The service starts worker threads from a file beside its own, given this process's execArgv:
// running from source, they need the TypeScript loader that child processes get.
process.execArgv.push('-r', REGISTER_TS);
