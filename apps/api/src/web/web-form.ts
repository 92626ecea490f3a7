import { ArgumentMetadata, Type } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { DomainError } from '@app/domain';
import { FieldError, ValidationFailed } from '../http/problem';
import { toProblem } from '../http/problem.filter';
import { RequestValidationPipe } from '../http/validation';

const pipe = new RequestValidationPipe();
/** Fields the pages add to forms, which are not the command's: the token, the version, the target, the confirmation step. */
const FORM_ONLY = new Set(['_csrf', 'version', 'evidenceId', 'requestId', 'step']);

export type FormOutcome<T> = Readonly<{ ok: true; value: T }> | Readonly<{ ok: false; errors: FieldError[] }>;

/**
 * Checks a posted form against the same request class the JSON API uses, so a page shows exactly
 * the API's validation messages. Empty optional fields count as not given.
 */
export async function validateForm<T extends object>(
  type: Type<T>,
  form: Record<string, unknown>,
  { ignoreUnknown = false } = {},
): Promise<FormOutcome<T>> {
  const known = ignoreUnknown ? fieldsOf(type) : undefined;
  const { fields: joined, incomplete } = joinDateParts(form);
  // Browsers send a text area's line breaks as CRLF; the API's text holds newlines alone.
  const fields = Object.fromEntries(
    Object.entries(joined)
      .filter(([name, value]) => !FORM_ONLY.has(name) && value !== '' && (known === undefined || known.has(name)))
      .map(([name, value]) => [name, typeof value === 'string' ? value.replaceAll('\r\n', '\n') : value]),
  );
  try {
    const metadata: ArgumentMetadata = { type: 'body', metatype: type };
    const value = (await pipe.transform(fields, metadata)) as T;
    return incomplete.length ? { ok: false, errors: incomplete } : { ok: true, value };
  } catch (error) {
    if (!(error instanceof ValidationFailed)) throw error;
    // A date with a part missing says which part, rather than that it is not a real date.
    const told = new Set(incomplete.map((error) => error.field));
    return { ok: false, errors: [...incomplete, ...error.errors.filter((error) => !told.has(error.field))] };
  }
}

const DATE_PARTS = ['day', 'month', 'year'] as const;
const DATE_PART = /^(.+)-(day|month|year)$/;

/**
 * The GOV.UK date input posts a date as three fields (dueDate-day, dueDate-month, dueDate-year):
 * here they become the one calendar date the API takes ("2027-03-05"), or, when some are left
 * empty, an error naming what the date must include. A date left wholly empty is not given.
 */
export function joinDateParts(form: Record<string, unknown>): { fields: Record<string, unknown>; incomplete: FieldError[] } {
  const fields: Record<string, unknown> = {};
  const dates = new Map<string, Partial<Record<(typeof DATE_PARTS)[number], string>>>();
  for (const [name, value] of Object.entries(form)) {
    const part = DATE_PART.exec(name);
    if (part && typeof value === 'string') dates.set(part[1], { ...dates.get(part[1]), [part[2]]: value.trim() });
    else fields[name] = value;
  }
  const incomplete: FieldError[] = [];
  for (const [name, parts] of dates) {
    const missing = DATE_PARTS.filter((part) => !parts[part]);
    if (missing.length === DATE_PARTS.length) continue;
    if (missing.length) incomplete.push({ field: name, message: `must include a ${missing.join(' and ')}` });
    const { day = '', month = '', year = '' } = parts;
    fields[name] = `${year.padStart(4, '0')}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  }
  return { fields, incomplete };
}

/** A date a page was given either whole (from a link: asAt=2026-03-31) or in the date input's three parts. */
export function dateFrom(query: Record<string, unknown>, name: string): string | undefined {
  const whole = query[name];
  if (typeof whole === 'string' && whole) return whole;
  const joined = joinDateParts(query).fields[name];
  return typeof joined === 'string' && joined ? joined : undefined;
}

/**
 * A page's date inputs send day, month and year; the address to keep and share names the days. When
 * any of `days` came in parts, redirects to `path` with each day whole, and says it did.
 */
export function redirectedToWholeDays(
  reply: { redirect(url: string, code?: number): unknown },
  path: string,
  query: Record<string, string>,
  days: Readonly<Record<string, string | undefined>>,
): boolean {
  if (!Object.keys(days).some((name) => !query[name] && dateFrom(query, name))) return false;
  const whole = Object.entries(days).filter((day): day is [string, string] => Boolean(day[1]));
  reply.redirect(`${path}?${new URLSearchParams(whole)}`, 303);
  return true;
}

/** A calendar date split for the date input: "2027-03-05" shows as 5, 3, 2027; what the user typed shows as typed. */
export function dateParts(values: Record<string, string> | undefined, name: string, fallback?: string): Record<string, string> {
  if (values && DATE_PARTS.some((part) => `${name}-${part}` in values))
    return Object.fromEntries(DATE_PARTS.map((part) => [part, values[`${name}-${part}`] ?? '']));
  const [year = '', month = '', day = ''] = /^\d{4}-\d{2}-\d{2}$/.test(fallback ?? '') ? fallback!.split('-') : [];
  return { day: day && String(Number(day)), month: month && String(Number(month)), year };
}

/** The stream version the form was made from, so that a change made meanwhile is refused rather than overwritten. */
export function formVersion(form: Record<string, unknown>): number | undefined {
  const version = Number(form.version);
  return Number.isInteger(version) && version > 0 ? version : undefined;
}

/** The fields a request class declares, by its validation rules. */
const fieldsOf = (type: Type<object>): Set<string> =>
  new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(type, '', true, false)
      .map((rule) => rule.propertyName),
  );

/**
 * A refusal the user can act on (a rule, who may do it, a conflict, a stale page) becomes a message
 * above the form, answered with the status the API gives it; anything else is not a refusal.
 */
export function refusal(error: unknown): Readonly<{ message: string; status: number; field?: string }> | undefined {
  const { status, detail, code } = toProblem(error);
  if (status === 412)
    return { status, message: 'Someone else changed this action while you were looking at it. Check the page as it is now and try again.' };
  const field = FIELD_OF_REFUSAL[code ?? ''];
  if (error instanceof DomainError) return { status, message: error.message, ...(field && { field }) };
  return status >= 400 && status < 500 ? { status, message: detail } : undefined;
}

/** The form field a refusal is about, where its code names one: the page shows the message beside it too. */
const FIELD_OF_REFUSAL: Readonly<Record<string, string>> = {
  'partner-name-taken': 'name',
  'partner-exists': 'id',
  'review-reference-taken': 'reference',
};

/** How the pages name each field, and what they ask for when it is left empty (the GOV.UK wording: "Enter a reference"). */
const FIELDS: Record<string, { label: string; missing: string }> = {
  partnerId: { label: 'Partner agency', missing: 'Select the partner agency' },
  dueDate: { label: 'Due date', missing: 'Enter a due date' },
  lead: { label: 'Lead', missing: 'Enter the lead' },
  reason: { label: 'Reason', missing: 'Enter a reason' },
  summary: { label: 'Summary', missing: 'Enter what shows the action was done' },
  link: { label: 'Link', missing: 'Enter a link' },
  note: { label: 'Note', missing: 'Enter a note' },
  outcome: { label: 'Outcome', missing: 'Select an outcome' },
  rationale: { label: 'Rationale', missing: 'Enter the rationale' },
  description: { label: 'Description', missing: 'Enter what will be done' },
  successMeasure: { label: 'How we will know it worked', missing: 'Enter how we will know it worked' },
  recommendationId: { label: 'Recommendation', missing: 'Select the recommendation' },
  reference: { label: 'Reference', missing: 'Enter a reference' },
  title: { label: 'Title', missing: 'Enter a title' },
  kind: { label: 'Kind of review', missing: 'Select the kind of review' },
  themes: { label: 'Themes', missing: 'Enter the themes' },
  text: { label: 'Recommendation', missing: 'Enter the recommendation' },
  result: { label: 'Impact', missing: 'Select whether the impact on practice is evidenced' },
  commissionedOn: { label: 'Date commissioned', missing: 'Enter the date it was commissioned' },
  publishedOn: { label: 'Date published', missing: 'Enter the date it was published' },
  asOf: { label: 'Date', missing: 'Enter a date' },
  email: { label: 'Mailbox', missing: 'Enter the team mailbox' },
  name: { label: 'Name', missing: 'Enter the agency’s name' },
  id: { label: 'Short name', missing: 'Enter a short name' },
};

export const fieldLabel = (field: string): string => FIELDS[field]?.label ?? field;

/** One message for a field, in the pages' words: what to do, not which rule failed. */
function pageMessage({ field, message }: FieldError): string {
  const { label, missing } = FIELDS[field] ?? { label: field, missing: `Enter ${field}` };
  if (message === 'is required' || message.startsWith('must be one of')) return missing;
  if (message.startsWith('must be a calendar date')) return `${label} must be a real date`;
  if (message === 'must be an http or https URL') return `${label} must start with http:// or https://`;
  return `${label} ${message}`;
}

/** GOV.UK error summary items, each linking to its field. */
export const errorList = (errors: readonly FieldError[], prefix = '') =>
  errors.map((error) => ({ text: pageMessage(error), href: `#${prefix}${error.field}` }));

export const fieldMessages = (errors: readonly FieldError[]) =>
  Object.fromEntries(errors.map((error) => [error.field, pageMessage(error)]));
