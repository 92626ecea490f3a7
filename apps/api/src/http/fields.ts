import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsUUID, Max, Min, ValidateBy, ValidationOptions, isISO8601 } from 'class-validator';
import { MOST_THEMES, ValueRule, calendarDate, link, mailbox, slug, text, themes } from '@app/domain';

type FieldOptions = Readonly<{ optional?: boolean; description?: string; example?: unknown }>;

const documented = (type: object, options: FieldOptions) =>
  options.optional
    ? applyDecorators(ApiPropertyOptional({ ...type, description: options.description, example: options.example }), IsOptional())
    : ApiProperty({ ...type, description: options.description, example: options.example });

/** A field held to one of the domain's value rules: the same rule, and the same message, as every other path that writes. */
const followsRule = (name: string, rule: ValueRule, options?: ValidationOptions) =>
  ValidateBy(
    { name, validator: { validate: (value) => rule(value) === undefined, defaultMessage: (args) => rule(args?.value) ?? '' } },
    options,
  );

/** Free text that shows something, holds no control characters but tab and newline, and is at most `max` characters. */
export const Text = (max: number, options: FieldOptions = {}) =>
  applyDecorators(documented({ type: String, maxLength: max, minLength: 1 }, options), followsRule('text', text(max)));

export const OneOf = (values: readonly string[], options: FieldOptions = {}) =>
  applyDecorators(documented({ enum: values }, options), IsIn(values, { message: `must be one of: ${values.join(', ')}` }));

export const Themes = (options: FieldOptions = {}) =>
  applyDecorators(
    documented({ type: [String], maxItems: MOST_THEMES }, { example: ['neglect', 'information sharing'], ...options }),
    followsRule('themes', themes),
  );

export const Uuid = (options: FieldOptions = {}) =>
  applyDecorators(documented({ type: String, format: 'uuid' }, options), IsUUID('all', { message: 'must be a UUID' }));

export const Link = (options: FieldOptions = {}) =>
  applyDecorators(documented({ type: String, format: 'uri', maxLength: 2000 }, options), followsRule('link', link));

export const CalendarDate = (options: FieldOptions = {}) =>
  applyDecorators(documented({ type: String, format: 'date', example: '2026-03-31' }, options), followsRule('calendarDate', calendarDate));

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
  applyDecorators(documented({ type: String, pattern: '^[a-z0-9-]{2,64}$' }, options), followsRule('slug', slug));

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

/** A team mailbox: a plain address with a domain that has a dot, not a display name with an address in it. */
export const Email = (options: FieldOptions = {}) =>
  applyDecorators(documented({ type: String, format: 'email', maxLength: 254 }, options), followsRule('mailbox', mailbox));

const MOST_INT8 = 2n ** 63n - 1n;

/** Digits that name a position of the log: what PostgreSQL's bigint can hold. */
export const isLogPosition = (digits: string): boolean => /^\d{1,19}$/.test(digits) && BigInt(digits) <= MOST_INT8;
