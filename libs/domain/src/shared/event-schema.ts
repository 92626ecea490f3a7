import {
  NOT_A_CALENDAR_DATE,
  ValueRule,
  calendarDate,
  identifier,
  isCalendarDate,
  link,
  mailbox,
  oneOf,
  slug,
  text,
  themes,
} from './value-rules';

/** What is wrong with one field of an event's data, named by its path (`corrected.themes`). */
export type FieldProblem = Readonly<{ field: string; message: string }>;

/**
 * How closely an event is held to its schema. `append`: every rule, before the log accepts it.
 * `fold`: what a reader needs to fold it (the shape, the types, real dates, known kinds), not the
 * limits on text, so that an event recorded before a limit existed is still read.
 */
export type Strictness = 'append' | 'fold';

export type Field<Optional extends boolean = boolean> = Readonly<{
  optional: Optional;
  check(value: unknown, path: string, strictness: Strictness, problems: FieldProblem[]): void;
}>;

/** One field for each of the data's, optional exactly where the data's is: a field added to an event type and not here does not build. */
export type Fields<Data> = { readonly [Key in keyof Data]-?: Field<undefined extends Data[Key] ? true : false> };

const isString: ValueRule = (value) => (typeof value === 'string' ? undefined : 'must be text');
const isStringList: ValueRule = (value) =>
  Array.isArray(value) && value.every((item) => typeof item === 'string') ? undefined : 'must be a list of themes';
const isDate: ValueRule = (value) => (isCalendarDate(value) ? undefined : NOT_A_CALENDAR_DATE);

const valued = (append: ValueRule, fold: ValueRule = append): Field<false> => ({
  optional: false,
  check(value, path, strictness, problems) {
    const problem = (strictness === 'append' ? append : fold)(value);
    if (problem) problems.push({ field: path, message: problem });
  },
});

export const Text = (max: number) => valued(text(max), isString);
export const Themes = valued(themes, isStringList);
export const CalendarDate = valued(calendarDate, isDate);
export const Id = valued(identifier, isString);
export const Slug = valued(slug, isString);
export const Mailbox = valued(mailbox, isString);
export const Link = valued(link, isString);
export const OneOf = (values: readonly string[]) => valued(oneOf(values));

export const optional = (field: Field<false>): Field<true> => ({ ...field, optional: true });

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function checkFields(
  fields: Readonly<Record<string, Field>>,
  value: unknown,
  path: string,
  strictness: Strictness,
  problems: FieldProblem[],
) {
  const at = (name: string) => (path ? `${path}.${name}` : name);
  if (!isPlainObject(value)) {
    problems.push({ field: path || '(data)', message: 'must be an object' });
    return;
  }
  for (const [name, item] of Object.entries(value)) {
    if (!Object.hasOwn(fields, name)) problems.push({ field: at(name), message: 'is not a known field' });
    else if (item === null) problems.push({ field: at(name), message: 'must not be null: leave it out' });
  }
  for (const [name, field] of Object.entries(fields)) {
    const item = value[name];
    if (item === undefined) {
      if (!field.optional) problems.push({ field: at(name), message: 'is required' });
    } else if (item !== null) field.check(item, at(name), strictness, problems);
  }
}

/** An object holding these fields and no others. */
export const shape = <Data>(fields: Fields<Data>): Field<false> => ({
  optional: false,
  check: (value, path, strictness, problems) => checkFields(fields, value, path, strictness, problems),
});

const allOptional = (fields: Readonly<Record<string, Field>>) =>
  Object.fromEntries(Object.entries(fields).map(([name, field]) => [name, { ...field, optional: true }]));

/** What a correction changes: one or more of the fields, each by its rules. */
export const corrected = <Texts>(fields: Fields<Texts>): Field<false> => {
  const some = allOptional(fields);
  return {
    optional: false,
    check(value, path, strictness, problems) {
      checkFields(some, value, path, strictness, problems);
      if (isPlainObject(value) && Object.values(value).every((item) => item === undefined))
        problems.push({ field: path, message: 'must change at least one field' });
    },
  };
};

/** A value copied from what the log held (a name before a rename): read as a reader reads it, even when a rule has since tightened. */
export const formerly = (field: Field<false>): Field<false> => ({
  optional: false,
  check: (value, path, _strictness, problems) => field.check(value, path, 'fold', problems),
});

/** What the fields a correction changes were before: what the log held, read as a reader reads it. */
export const previous = <Texts>(fields: Fields<Texts>): Field<false> => {
  const some = allOptional(fields);
  return { optional: false, check: (value, path, _strictness, problems) => checkFields(some, value, path, 'fold', problems) };
};

/** The schema of each event type of an aggregate, by type. */
export type EventSchemas<Event extends Readonly<{ type: string; data: object }>> = {
  readonly [Type in Event['type']]: Fields<Extract<Event, { type: Type }>['data']>;
};

/** The problems of an event's data against its type's fields; none when it holds to them. */
export function dataProblems(fields: Readonly<Record<string, Field>>, data: unknown, strictness: Strictness): FieldProblem[] {
  const problems: FieldProblem[] = [];
  checkFields(fields, data, '', strictness, problems);
  return problems;
}

/** The day an event happened, when it is not the day it was recorded (history brought in by an import). */
export const OCCURRED_ON = CalendarDate;
