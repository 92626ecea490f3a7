import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HASHED_TEXT } from '../hash-chain';

describe('append_events', () => {
  it('writes between an event’s position and its recorded time what the hashed text’s one statement says', () => {
    const sql = readFileSync(join(__dirname, 'append-events.sql'), 'utf8');
    const literals = [...sql.matchAll(/'([^']*recordedAt[^']*)'/g)].map((match) => match[1]);
    expect(literals).toEqual([HASHED_TEXT.beforeRecordedAt]);
  });
});
