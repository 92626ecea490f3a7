import fastifyFormbody from '@fastify/formbody';
import fastifyMultipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import fastifyView from '@fastify/view';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import nunjucks from 'nunjucks';
import { ValidationFailed } from '../http/problem';
import { BodyRule } from '../http/media-types';
import { MAX_FILE_BYTES } from '../imports/plan-file';
import { isInheritedName } from '../http/validation';
import { dateParts } from './web-form';
import { counted, formatDate, formatDateTime, label, possessive } from '../words/words';

/** The templates and stylesheet, beside this file in the source and copied beside it by the build. */
const HERE = [__dirname, join(process.cwd(), 'apps/api/src/web')].find((dir) => existsSync(join(dir, 'views', 'layout.njk')))!;
const GOVUK = join(dirname(require.resolve('govuk-frontend/package.json')), 'dist');

/** Where the pages post their forms: the only paths that take a form body. */
export const FORM_PATHS = /^\/(sign-in|sign-out|tracker|learning-reviews|import|admin)(\/|\?|$)/;
/** The one page that takes a file: the action plan to import. */
export const UPLOAD_PATH = /^\/import\/check(\?|$)/;

/** The bodies the pages post: forms to their own paths, and the action plan's file. The JSON API refuses both with 415, so a page on another site can never post one to it. */
export const WEB_BODIES: readonly BodyRule[] = [
  { types: ['application/x-www-form-urlencoded'], method: 'POST', path: FORM_PATHS, says: 'Send the body as application/json.' },
  { types: ['multipart/form-data'], method: 'POST', path: UPLOAD_PATH, says: 'Send the body as application/json.' },
];

/** Server-rendered pages: Nunjucks with GOV.UK Frontend's macros, its assets, and HTML form bodies. */
export async function setUpWeb(app: NestFastifyApplication): Promise<void> {
  await app.register(fastifyFormbody, { bodyLimit: 64 * 1024, parser: parseForm });
  // The import page's file, read whole into the body beside the form's token.
  await app.register(fastifyMultipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fileSize: MAX_FILE_BYTES, files: 1, fields: 4, fieldSize: 1024 },
  });
  await app.register(fastifyStatic, { root: join(GOVUK, 'govuk', 'assets'), prefix: '/assets/', decorateReply: false });
  await app.register(fastifyStatic, {
    root: join(GOVUK, 'govuk'),
    prefix: '/govuk/',
    decorateReply: false,
    allowedPath: (path) => /^\/govuk-frontend\.min\.(css|js)(\.map)?$/.test(path),
  });
  await app.register(fastifyStatic, { root: join(HERE, 'static'), prefix: '/static/', decorateReply: false });
  await app.register(fastifyView, {
    engine: { nunjucks },
    templates: [join(HERE, 'views'), GOVUK],
    options: {
      onConfigure: (env: nunjucks.Environment) =>
        env
          .addFilter('date', formatDate)
          .addFilter('dateTime', formatDateTime)
          .addFilter('label', label)
          .addFilter('counted', counted)
          .addFilter('possessive', possessive)
          .addFilter('dateParts', dateParts),
    },
  });
}

/** A form's fields, each given once: a field sent twice is refused rather than joined, and no name reaches a prototype. */
function parseForm(body: string): Record<string, string> {
  const form: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(body)) {
    if (Object.hasOwn(form, name)) throw new ValidationFailed([{ field: name, message: 'was sent more than once' }]);
    if (isInheritedName(name)) throw new ValidationFailed([{ field: name, message: 'is not a known field' }]);
    form[name] = value;
  }
  return form;
}
