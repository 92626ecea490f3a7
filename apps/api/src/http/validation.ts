import { ArgumentMetadata, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError, ValidationFailed } from './problem';

/**
 * One message per field, saying what to do about it: "is required" for a field left out, else the
 * first rule it breaks (a missing field breaks every rule of its kind at once).
 */
function fieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const constraints = error.constraints ?? {};
    const first = Object.values(constraints)[0];
    const own: FieldError[] =
      first === undefined
        ? []
        : [
            constraints.whitelistValidation !== undefined
              ? { field, message: 'is not a known field' }
              : error.value === undefined || error.value === null
                ? { field, message: 'is required' }
                : { field, message: first.replace(new RegExp(`^(each value in )?${error.property} `), '$1') },
          ];
    return [...own, ...fieldErrors(error.children ?? [], field)];
  });
}

/** Deeper than any request of this API needs; refused before anything walks it recursively. */
export const MOST_NESTING = 64;

/** In Unicode mode a surrogate pair reads as one code point: only a lone half matches. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Names every object inherits: as a field they would reach the prototype, never a field of ours. */
export const isInheritedName = (name: string) => name === '__proto__' || name in Object.prototype;

/** What JSON and query strings are made of: objects and arrays, never a file's bytes. */
const isWalkable = (value: unknown): value is object => typeof value === 'object' && value !== null && !ArrayBuffer.isView(value);

/**
 * What no field of any request may hold, found without recursion however deep the value: nesting
 * over MOST_NESTING, field names every object inherits, `null` (a field is given or left out),
 * NUL characters (PostgreSQL text cannot hold them) and lone UTF-16 surrogates (nor can its JSON).
 */
export function unacceptableParts(value: unknown): FieldError[] {
  const errors: FieldError[] = [];
  const pending: { value: unknown; path: string; depth: number }[] = [{ value, path: '', depth: 0 }];
  while (pending.length > 0 && errors.length < 20) {
    const { value: item, path, depth } = pending.pop()!;
    const field = path || '(body)';
    if (typeof item === 'string') {
      if (item.includes('\u0000')) errors.push({ field, message: 'must not contain NUL characters' });
      else if (LONE_SURROGATE.test(item)) errors.push({ field, message: 'must be valid Unicode text (it holds a lone surrogate)' });
    } else if (isWalkable(item)) {
      if (depth >= MOST_NESTING) {
        errors.push({ field, message: `nests deeper than ${MOST_NESTING} levels` });
        continue;
      }
      for (const [key, child] of Object.entries(item)) {
        const childPath = path ? `${path}.${key}` : key;
        if (isInheritedName(key)) errors.push({ field: childPath, message: 'is not a known field' });
        else if (child === null) errors.push({ field: childPath, message: 'must not be null: leave the field out' });
        else if (key.includes('\u0000') || LONE_SURROGATE.test(key))
          errors.push({ field: JSON.stringify(key), message: 'is not a known field' });
        else pending.push({ value: child, path: childPath, depth: depth + 1 });
      }
    }
  }
  return errors;
}

/**
 * Bodies must be JSON objects with only the DTO's fields, of the right types and lengths.
 * A missing body counts as an empty object, so that routes whose fields are all optional accept none.
 */
@Injectable()
export class RequestValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      forbidUnknownValues: true,
      exceptionFactory: (errors) => new ValidationFailed(fieldErrors(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body') {
      // A file (an action plan) is parsed as bytes and read by its own rules, never walked here byte by byte.
      if (Buffer.isBuffer(value)) return value;
      const body = value ?? {};
      if (typeof body !== 'object' || Array.isArray(body)) {
        throw new ValidationFailed([{ field: '(body)', message: 'must be a JSON object' }]);
      }
      refuseUnacceptableParts(body);
      return super.transform(body, metadata);
    }
    if (metadata.type === 'query') refuseUnacceptableParts(value);
    return super.transform(value, metadata);
  }
}

function refuseUnacceptableParts(value: unknown): void {
  const errors = unacceptableParts(value);
  if (errors.length > 0) throw new ValidationFailed(errors);
}
