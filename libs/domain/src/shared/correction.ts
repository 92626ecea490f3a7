import { InvalidCommand } from './errors';
import { sameValue } from './same';

/** What a correction changes: the new values of the fields it alters, and what they were, kept for the history. */
export type Correction<Fields extends object> = Readonly<{ corrected: Partial<Fields>; previous: Partial<Fields> }>;

/**
 * The fields of `proposed` whose values differ from `current`, beside their current values. A field
 * left out of `proposed` is left as it is; `undefined` when nothing would change. A correction that
 * proposes no field at all is refused: it says what to correct.
 */
export function correctionOf<Fields extends object>(
  current: Fields,
  proposed: Partial<Fields>,
  fields: readonly (keyof Fields)[],
): Correction<Fields> | undefined {
  if (fields.every((field) => proposed[field] === undefined)) {
    throw new InvalidCommand('nothing-to-correct', `Give at least one of ${fields.join(', ')} to correct, beside the reason.`);
  }
  const corrected: Partial<Fields> = {};
  const previous: Partial<Fields> = {};
  for (const field of fields) {
    const value = proposed[field];
    if (value === undefined || sameValue(value, current[field])) continue;
    corrected[field] = value;
    previous[field] = current[field];
  }
  return Object.keys(corrected).length === 0 ? undefined : { corrected, previous };
}
