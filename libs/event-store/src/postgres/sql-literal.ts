/**
 * A string as an SQL string literal, for statements sent as text several to a round trip: quotes
 * doubled, and backslashes doubled in an E'' string, so it reads the same whatever
 * standard_conforming_strings says. Regular expressions, not a loop: documents can run to megabytes.
 * PostgreSQL text cannot hold NUL, and a NUL would end the statement text early: refused here.
 */
export function sqlLiteral(text: string): string {
  if (text.includes('\u0000')) throw new RangeError('An SQL literal cannot contain a NUL character.');
  const quoted = text.replace(/'/g, "''");
  return text.includes('\\') ? `E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`;
}
