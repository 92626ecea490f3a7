import fastifyFormbody from '@fastify/formbody';
import fastifyMultipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import fastifyView from '@fastify/view';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import nunjucks from 'nunjucks';
import { WebConfig } from '../config/config';
import { ValidationFailed } from '../http/problem';
import { BodyRule } from '../http/media-types';
import { MAX_FILE_BYTES } from '../imports/plan-file';
import { isInheritedName } from '../http/validation';
import { dateParts } from './web-form';
import { counted, formatDate, formatDateTime, label, possessive } from '../words/words';

/** The templates and stylesheet, beside this file in the source and copied beside it by the build. */
const HERE = [__dirname, join(process.cwd(), 'apps/api/src/web')].find((dir) => existsSync(join(dir, 'views', 'layout.njk')))!;
const GOVUK = join(dirname(require.resolve('govuk-frontend/package.json')), 'dist');

/** The files the pages load, ours and GOV.UK Frontend's, served together under one content-hashed path. */
const STATIC_FILES: readonly (readonly [dir: string, name: string])[] = [
  [join(HERE, 'static'), 'web.css'],
  [join(HERE, 'static'), 'web.js'],
  ...['govuk-frontend.min.css', 'govuk-frontend.min.css.map', 'govuk-frontend.min.js', 'govuk-frontend.min.js.map'].map(
    (name) => [join(GOVUK, 'govuk'), name] as const,
  ),
];

/**
 * `/static/<hash of every file's content>`: a changed file is a new address, so a browser may keep
 * each for a year without asking again, and never keeps an old one past a release.
 */
export const STATIC_PREFIX = `/static/${createHash('sha256')
  .update(
    STATIC_FILES.map(
      ([dir, name]) =>
        `${name}\u0000${createHash('sha256')
          .update(readFileSync(join(dir, name)))
          .digest('hex')}`,
    ).join('\n'),
  )
  .digest('hex')
  .slice(0, 16)}`;

/** The print stylesheet that carries the protective marking the configuration sets. */
export const PRINT_MARKING_PATH = '/print-marking.css';

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
export async function setUpWeb(app: NestFastifyApplication, config: Pick<WebConfig, 'protectiveMarking'>): Promise<void> {
  await app.register(fastifyFormbody, { bodyLimit: 64 * 1024, parser: parseForm });
  // The import page's file, read whole into the body beside the form's token.
  await app.register(fastifyMultipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fileSize: MAX_FILE_BYTES, files: 1, fields: 4, fieldSize: 1024 },
  });
  // GOV.UK Frontend's fonts and images, which its stylesheet names by path: the fonts' names carry their content's hash.
  await app.register(fastifyStatic, { root: join(GOVUK, 'govuk', 'assets'), prefix: '/assets/', decorateReply: false, maxAge: '1d' });
  const served = new Set(STATIC_FILES.map(([, name]) => `/${name}`));
  await app.register(fastifyStatic, {
    root: [...new Set(STATIC_FILES.map(([dir]) => dir))],
    prefix: `${STATIC_PREFIX}/`,
    decorateReply: false,
    allowedPath: (path) => served.has(path),
    maxAge: '365d',
    immutable: true,
  });
  // The partnership's marking at the top and foot of every printed page: page margins are CSS's alone to print in.
  const marking = `"${config.protectiveMarking.replace(/["\\]/g, '\\$&')}"`;
  const markingCss = `@page { @top-center { content: ${marking}; font: 700 8pt arial, sans-serif; } @bottom-center { content: ${marking}; font: 700 8pt arial, sans-serif; } }\n`;
  app
    .getHttpAdapter()
    .getInstance()
    .get(PRINT_MARKING_PATH, (_request, reply) =>
      reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'no-cache').send(markingCss),
    );
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
          .addFilter('dateParts', dateParts)
          .addGlobal('staticPrefix', STATIC_PREFIX)
          .addGlobal('printMarkingPath', PRINT_MARKING_PATH),
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
