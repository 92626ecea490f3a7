import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  IsUrl,
  isISO8601,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidationOptions,
} from 'class-validator';

type FieldOptions = Readonly<{ optional?: boolean; description?: string; example?: unknown }>;

const documented = (type: object, options: FieldOptions) =>
  options.optional
    ? applyDecorators(ApiPropertyOptional({ ...type, description: options.description, example: options.example }), IsOptional())
    : ApiProperty({ ...type, description: options.description, example: options.example });

/** Something a reader can see: not only spaces, zero-width characters or other invisible formatting. */
const VISIBLE = /[^\p{White_Space}\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
/** Controls other than tab and newline, which no text here has reason to hold. */
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F]/;

const readableText = (each: boolean) => [
  Matches(VISIBLE, { each, message: each ? 'must not hold a blank theme' : 'must not be blank' }),
  ValidateBy(
    {
      name: 'noControls',
      validator: {
        validate: (value) => typeof value !== 'string' || !CONTROL.test(value),
        defaultMessage: () => 'must not hold control characters other than tab and newline',
      },
    },
    { each },
  ),
];

/** Free text, trimmed of nothing but refused when it shows nothing, holds control characters or is longer than `max`. */
export const Text = (max: number, options: FieldOptions = {}) =>
  applyDecorators(
    documented({ type: String, maxLength: max, minLength: 1 }, options),
    IsString({ message: 'must be text' }),
    MaxLength(max, { message: `must be ${max} characters or fewer` }),
    ...readableText(false),
  );

export const OneOf = (values: readonly string[], options: FieldOptions = {}) =>
  applyDecorators(documented({ enum: values }, options), IsIn(values, { message: `must be one of: ${values.join(', ')}` }));

export const Themes = (options: FieldOptions = {}) =>
  applyDecorators(
    documented({ type: [String], maxItems: 20 }, { example: ['neglect', 'information sharing'], ...options }),
    IsArray(),
    ArrayMaxSize(20),
    IsString({ each: true }),
    MaxLength(100, { each: true, message: 'must each be 100 characters or fewer' }),
    ...readableText(true),
  );

export const Uuid = (options: FieldOptions = {}) =>
  applyDecorators(documented({ type: String, format: 'uuid' }, options), IsUUID('all', { message: 'must be a UUID' }));

export const Link = (options: FieldOptions = {}) =>
  applyDecorators(
    documented({ type: String, format: 'uri', maxLength: 2000 }, options),
    MaxLength(2000),
    IsUrl({ require_protocol: true, protocols: ['http', 'https'], require_tld: false }, { message: 'must be an http or https URL' }),
  );

export function isCalendarDate(value: unknown): boolean {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

const IsCalendarDate = (options?: ValidationOptions) =>
  ValidateBy(
    { name: 'isCalendarDate', validator: { validate: isCalendarDate, defaultMessage: () => 'must be a calendar date, YYYY-MM-DD' } },
    options,
  );

export const CalendarDate = (options: FieldOptions = {}) =>
  applyDecorators(documented({ type: String, format: 'date', example: '2026-03-31' }, options), IsCalendarDate());

/** A date (midnight UTC) or a date and time with its zone: never a local time open to two readings. */
const ZONED_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

export function isInstant(value: unknown): boolean {
  return (
    typeof value === 'string' &&
    ZONED_INSTANT.test(value) &&
    isISO8601(value, { strict: true, strictSeparator: true }) &&
    !Number.isNaN(Date.parse(value))
  );
}

export const Instant = (options: FieldOptions = {}) =>
  applyDecorators(
    documented({ type: String, format: 'date-time', example: '2026-11-28T09:00:00Z' }, options),
    ValidateBy({
      name: 'isInstant',
      validator: { validate: isInstant, defaultMessage: () => 'must be a timestamp with its zone, e.g. 2026-11-28T09:00:00Z, or a date' },
    }),
  );

export const Slug = (options: FieldOptions = {}) =>
  applyDecorators(
    documented({ type: String, pattern: '^[a-z0-9-]{2,64}$' }, options),
    IsString(),
    Matches(/^[a-z0-9-]{2,64}$/, { message: 'must be 2 to 64 lower-case letters, digits or hyphens' }),
  );

/** An optional whole number in a query string, from `min` to `max`, of `unit` when it says what it counts. */
export const WholeNumber = (min: number, max: number, options: { description?: string; default?: number; unit?: string } = {}) =>
  applyDecorators(
    ApiPropertyOptional({ minimum: min, maximum: max, default: options.default, description: options.description }),
    IsOptional(),
    Type(() => Number),
    IsInt({ message: `must be a whole number${options.unit ? ` of ${options.unit}` : ''}` }),
    Min(min),
    Max(max),
  );

/** A mail address with a domain that has a dot: a shared team mailbox, not a display name with an address in it. */
export const Email = (options: FieldOptions = {}) =>
  applyDecorators(
    documented({ type: String, format: 'email', maxLength: 254 }, options),
    IsString({ message: 'must be text' }),
    MaxLength(254, { message: 'must be 254 characters or fewer' }),
    IsEmail(
      { allow_display_name: false, require_tld: true, allow_ip_domain: false },
      { message: 'must be an email address, like team@agency.gov.uk' },
    ),
  );

const MOST_INT8 = 2n ** 63n - 1n;

/** Digits that name a position of the log: what PostgreSQL's bigint can hold. */
export const isLogPosition = (digits: string): boolean => /^\d{1,19}$/.test(digits) && BigInt(digits) <= MOST_INT8;
