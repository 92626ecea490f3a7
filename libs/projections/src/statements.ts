import { sqlLiteral } from '@app/event-store';

/**
 * A statement whose parameters are given as SQL literals, so that several can share one round trip
 * as text: written out in full, or, by a session that has prepared it, executed by name, which
 * spares the server parsing and planning it for every batch.
 */
export type Statement = Readonly<{ name: string; text: string }>;

/** Writes a statement as text: its parameters, as SQL literals, in the order of `$1`, `$2`, ... */
export type StatementRenderer = (statement: Statement, literals: readonly string[]) => string;

/** A value as the SQL literal of its JSON text. */
export const jsonLiteral = (value: unknown): string => sqlLiteral(JSON.stringify(value));

export const inline: StatementRenderer = (statement, literals) =>
  statement.text.replace(/\$(\d+)/g, (_, index: string) => literals[Number(index) - 1]);

export const byName: StatementRenderer = (statement, literals) => `EXECUTE ${statement.name}(${literals.join(', ')})`;

const preparedBySession = new WeakMap<object, Set<string>>();

/**
 * The `PREPARE` statements a session needs before it can execute these by name, counted as
 * prepared from now on: if the round trip that carries them fails, the session must be closed,
 * for it may hold some of them (a `PREPARE` is not undone by a rollback).
 */
export function preparations(session: object, statements: readonly Statement[]): string[] {
  let prepared = preparedBySession.get(session);
  if (!prepared) preparedBySession.set(session, (prepared = new Set()));
  const missing = statements.filter((statement) => !prepared.has(statement.name));
  missing.forEach((statement) => prepared.add(statement.name));
  return missing.map((statement) => `PREPARE ${statement.name} AS ${statement.text}`);
}
