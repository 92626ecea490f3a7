import { ArgumentMetadata, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError, ValidationFailed } from './problem';

function fieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) =>
      error.constraints?.whitelistValidation === message
        ? { field, message: 'is not a known field' }
        : { field, message: message.replace(new RegExp(`^(each value in )?${error.property} `), '$1') },
    );
    return [...own, ...fieldErrors(error.children ?? [], field)];
  });
}

function nulCharacterPaths(value: unknown, path: string): string[] {
  if (typeof value === 'string') return value.includes('\u0000') ? [path] : [];
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => nulCharacterPaths(item, path ? `${path}.${key}` : key));
  }
  return [];
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
      const body = value ?? {};
      if (typeof body !== 'object' || Array.isArray(body)) {
        throw new ValidationFailed([{ field: '(body)', message: 'must be a JSON object' }]);
      }
      const withNul = nulCharacterPaths(body, '');
      if (withNul.length > 0) {
        throw new ValidationFailed(withNul.map((field) => ({ field, message: 'must not contain NUL characters' })));
      }
      return super.transform(body, metadata);
    }
    return super.transform(value, metadata);
  }
}
