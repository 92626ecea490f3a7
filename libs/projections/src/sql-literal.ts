/**
 * A string as an SQL string literal, for statements sent as text several to a round trip: quotes
 * doubled, and backslashes doubled in an E'' string, so it reads the same whatever
 * standard_conforming_strings says. Regular expressions, not a loop: documents can run to megabytes.
 */
export function sqlLiteral(text: string): string {
  const quoted = text.replace(/'/g, "''");
  return text.includes('\\') ? `E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`;
}
