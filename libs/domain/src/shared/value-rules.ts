/**
 * What a value may be, the one statement of it for every path that writes (the API, the pages, an
 * import, the demonstration) and for the readers of the log. Each rule answers the problem with a
 * value, said as the end of a sentence whose subject is the field ("must be a real date, ..."), or
 * undefined when there is none.
 */
export type ValueRule = (value: unknown) => string | undefined;

/** The earliest and the latest day a calendar date may be: no partnership's plan reaches outside them. */
export const EARLIEST_DATE = '1990-01-01';
export const LATEST_DATE = '2100-12-31';

/** How long each kind of text may be. */
export const TEXT_LIMITS = {
  /** Descriptions, recommendations, reasons, notes, evidence. */
  long: 4000,
  /** A review's reference. */
  reference: 64,
  /** A review's title. */
  title: 300,
  /** A lead officer, or a partner agency's name. */
  name: 200,
} as const;

export const MOST_THEMES = 20;
export const THEME_LENGTH = 100;

/** Something a reader can see: not only spaces, zero-width characters or other invisible formatting. */
const VISIBLE = /[^\p{White_Space}\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
/** Controls other than tab and newline, which no text here has reason to hold (NUL included). */
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F]/;
/** In Unicode mode a surrogate pair reads as one code point: only a lone half matches. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Free text of at most `max` characters that shows something, without control characters other than tab and newline. */
export const text =
  (max: number): ValueRule =>
  (value) => {
    if (typeof value !== 'string') return 'must be text';
    if (value.length > max) return `must be ${max.toLocaleString('en-GB')} characters or fewer`;
    if (LONE_SURROGATE.test(value)) return 'must be valid Unicode text';
    if (CONTROL.test(value)) return 'must not hold control characters other than tab and newline';
    if (!VISIBLE.test(value)) return 'must not be blank';
    return undefined;
  };

const theme = text(THEME_LENGTH);

/** At most MOST_THEMES themes, each text of at most THEME_LENGTH characters. */
export const themes: ValueRule = (value) => {
  if (!Array.isArray(value)) return 'must be a list of themes';
  if (value.length > MOST_THEMES) return `must be ${MOST_THEMES} themes or fewer`;
  for (const item of value) {
    const problem = theme(item);
    if (problem)
      return problem === 'must not be blank' ? 'must not hold a blank theme' : problem.replace(/^must be (text|\d)/, 'must each be $1');
  }
  return undefined;
};

const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** What is said of a value that is no day written YYYY-MM-DD. */
export const NOT_A_CALENDAR_DATE = 'must be a calendar date, YYYY-MM-DD';

/** A day that exists, written YYYY-MM-DD, whatever its year. */
export function isCalendarDate(value: unknown): value is string {
  const parts = typeof value === 'string' ? CALENDAR_DATE.exec(value) : null;
  if (!parts) return false;
  const [year, month, day] = parts.slice(1).map(Number);
  // setUTCFullYear, unlike Date.UTC, does not take years 0 to 99 for 1900 to 1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** A real calendar date, YYYY-MM-DD, between EARLIEST_DATE and LATEST_DATE. */
export const calendarDate: ValueRule = (value) => {
  if (!isCalendarDate(value)) return NOT_A_CALENDAR_DATE;
  if (value < EARLIEST_DATE || value > LATEST_DATE) return `must be a date from ${EARLIEST_DATE.slice(0, 4)} to ${LATEST_DATE.slice(0, 4)}`;
  return undefined;
};

/** An id or a user's `sub`: up to 200 characters with no spaces or control characters. */
export const identifier: ValueRule = (value) =>
  typeof value === 'string' && /^[^\s\p{C}]{1,200}$/u.test(value) ? undefined : 'must be an id: up to 200 characters, no spaces';

/** A partner agency's id: 2 to 64 lower-case letters, digits or hyphens. */
export const slug: ValueRule = (value) =>
  typeof value === 'string' && /^[a-z0-9-]{2,64}$/.test(value) ? undefined : 'must be 2 to 64 lower-case letters, digits or hyphens';

const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
/** A plain mailbox: dot-separated words, no quoted part (which could hold a line break), and a domain with a dot. */
const MAILBOX = new RegExp(`^${ATOM}(?:\\.${ATOM})*@${LABEL}(?:\\.${LABEL})*\\.[A-Za-z]{2,63}$`);

/** A team mailbox: a plain address of at most 254 characters, without a display name. */
export const mailbox: ValueRule = (value) =>
  typeof value === 'string' && value.length <= 254 && value.split('@')[0].length <= 64 && MAILBOX.test(value)
    ? undefined
    : 'must be an email address, like team@agency.gov.uk';

/** An http or https address of at most 2,000 characters, with no spaces or control characters. */
export const link: ValueRule = (value) =>
  typeof value === 'string' && value.length <= 2000 && /^https?:\/\/[^\s/?#\p{C}]+[^\s\p{C}]*$/iu.test(value)
    ? undefined
    : 'must be an http or https URL';

export const oneOf =
  (values: readonly string[]): ValueRule =>
  (value) =>
    typeof value === 'string' && values.includes(value) ? undefined : `must be one of: ${values.join(', ')}`;
