import { sqlLiteral } from './sql-literal';

describe('SQL literals', () => {
  it('doubles quotes, and doubles backslashes inside an E string', () => {
    expect(sqlLiteral("it's")).toBe("'it''s'");
    expect(sqlLiteral('a\\b')).toBe("E'a\\\\b'");
    expect(sqlLiteral("\\'")).toBe("E'\\\\'''");
  });

  it('refuses a NUL character, which would end the statement text early', () => {
    expect(() => sqlLiteral('before\u0000after')).toThrow(RangeError);
  });
});
