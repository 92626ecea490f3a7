import { HttpCode, Type, applyDecorators } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiExtraModels,
  ApiHeader,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  ApiResponseOptions,
  getSchemaPath,
} from '@nestjs/swagger';
import { Permission, rolesFor } from '@app/domain';
import { Roles } from '../auth/roles.decorator';
import { FILE_MEDIA_TYPES } from '../files/table-file';
import { PROBLEM_CONTENT_TYPE } from './problem';

class FieldErrorDto {
  @ApiProperty({ example: 'dueDate' }) field!: string;
  @ApiProperty({ example: 'must be a calendar date, YYYY-MM-DD' }) message!: string;
}

export class ProblemDto {
  @ApiProperty({ example: 'urn:learning-actions:problem:validation-failed' }) type!: string;
  @ApiProperty({ example: 'Bad request' }) title!: string;
  @ApiProperty({ example: 400 }) status!: number;
  @ApiProperty({ example: 'The request is not valid.' }) detail!: string;
  @ApiPropertyOptional({ example: 'validation-failed' }) code?: string;
  @ApiPropertyOptional({ type: [FieldErrorDto] }) errors?: FieldErrorDto[];
}

export class WriteAnswerDto {
  @ApiProperty({ description: 'Id of what was created or changed' }) id!: string;
  @ApiProperty({ description: "The stream's version after the write; send it back as If-Match" }) version!: number;
  @ApiProperty({ description: 'Opaque token: pass as ?position= to read your own write' }) position!: string;
}

const PROBLEMS: Record<number, string> = {
  400: 'Malformed JSON, unknown fields, wrong types, missing fields, bad dates or over-long text; an address holding NUL',
  401: 'No valid bearer token',
  403: 'Your roles or partner agency do not allow this',
  404: 'No such resource',
  409: 'Not allowed in the current state',
  412: 'If-Match named a version the resource has moved on from',
  413: 'Body larger than 1 MiB (an imported plan: 5 MiB, 10,000 rows)',
  415: 'A body of a type the endpoint does not take',
  422: 'Idempotency-Key reused with a different body; an imported plan with errors in its rows',
  503: 'The database cannot be reached just now',
};

const problems = (statuses: number[]) =>
  statuses.map((status) =>
    ApiResponse({
      status,
      description: PROBLEMS[status],
      content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/ProblemDto' } } },
    }),
  );

/** The problems a route answers besides those its kind of route declares. */
export const Problems = (statuses: number[]) => applyDecorators(...problems(statuses));

type RouteOptions = Readonly<{ summary: string; permission: Permission; notFound?: boolean }>;

/** The route's roles, from the one table of who may do what, and the same roles in its documentation. */
const permitted = ({ summary, permission }: RouteOptions) =>
  applyDecorators(
    Roles(...rolesFor(permission)),
    ApiBearerAuth(),
    ApiOperation({ summary, description: `Roles: ${rolesFor(permission).join(', ')}.` }),
  );

/** A write endpoint: who may call it, its answer, its optional headers and every problem it can answer. */
export const WriteRoute = (options: RouteOptions & { creates?: boolean }) =>
  applyDecorators(
    permitted(options),
    HttpCode(options.creates ? 201 : 200),
    ApiHeader({ name: 'If-Match', required: false, description: 'The version you last read; 412 if it moved on' }),
    ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Repeat within 24 h returns the first answer' }),
    ApiResponse({ status: options.creates ? 201 : 200, type: WriteAnswerDto }),
    ...problems([400, 401, 403, ...(options.notFound === false ? [] : [404]), 409, 412, 413, 422, 503]),
  );

/** A file's bytes, as the OpenAPI document describes them. */
const FILE_CONTENT = {
  [FILE_MEDIA_TYPES.csv.split(';')[0]]: { schema: { type: 'string', description: 'UTF-8 with a byte order mark, as Excel opens it' } },
  [FILE_MEDIA_TYPES.xlsx]: { schema: { type: 'string', format: 'binary' } },
};

/** A read: who may make it, its JSON answer (and, with `files`, the same as CSV or XLSX: `?format=` or Accept), and its problems. */
export const ReadRoute = (options: RouteOptions & { type: Type | [Type]; headers?: ApiResponseOptions['headers']; files?: boolean }) => {
  const model = Array.isArray(options.type) ? options.type[0] : options.type;
  const ref = { $ref: getSchemaPath(model) };
  return applyDecorators(
    permitted(options),
    ApiExtraModels(model),
    ApiResponse({
      status: 200,
      headers: options.headers,
      content: {
        'application/json': { schema: Array.isArray(options.type) ? { type: 'array', items: ref } : ref },
        ...(options.files && FILE_CONTENT),
      },
    }),
    ...problems([400, 401, 403, ...(options.notFound === false ? [] : [404]), 503]),
  );
};

/** An import: who may make one, and every problem it can answer (a file too big is 413, rows with errors 422). */
export const ImportRoute = (options: RouteOptions) => applyDecorators(permitted(options), ...problems([400, 401, 403, 413, 415, 422, 503]));
