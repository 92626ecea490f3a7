// ENOENT: no socket file where a server's Unix socket should be (the embedded server is down).
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENOENT']);
const SERVER_CODES = new Set(['57P01', '57P02', '57P03', '53300']);
/** The `type` of @eventstore/db-client's errors that mean the server cannot answer now. */
const EVENTSTOREDB_TYPES = new Set(['unavailable', 'deadline-exceeded', 'timeout', 'not-leader']);

/** True when the error says the database cannot be reached now, rather than that a statement was wrong. */
export function isDatabaseUnavailable(error: unknown): boolean {
  // Socket errors may come from another realm (a test sandbox), so no instanceof checks here.
  if (typeof error !== 'object' || error === null) return false;
  const { code, errors, message, type } = error as { code?: unknown; errors?: unknown; message?: unknown; type?: unknown };
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || SERVER_CODES.has(code) || code.startsWith('08'))) {
    return true;
  }
  if (typeof type === 'string' && EVENTSTOREDB_TYPES.has(type)) return true;
  if (Array.isArray(errors)) return errors.some(isDatabaseUnavailable);
  return /Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(
    String(message),
  );
}
