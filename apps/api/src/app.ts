import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { IncomingMessage } from 'node:http';
import { Logger } from 'pino';
import { AppDependencies, AppModule } from './app.module';
import { TOKEN_VERIFIER } from './auth/token-verifier';
import { clientErrorFor, routerErrorFor, setUpHttpEdge } from './http/http-edge';
import { ProblemFilter } from './http/problem.filter';
import { ProblemDto } from './http/routes';
import { RequestValidationPipe } from './http/validation';
import { Metrics } from './observability/metrics';
import { NestPinoLogger } from './observability/logger';
import { WebSessions } from './auth/web-session';
import { WEB_BODIES, setUpWeb } from './web/web.setup';
import { IMPORT_PATH, MAX_FILE_BYTES, PLAN_FORMATS, PLAN_MEDIA_TYPES } from './imports/plan-file';
import { refuseOtherMediaTypes } from './http/media-types';
import { migrateService } from './database/service-migrations';

const ONE_MIB = 1024 * 1024;
const SAFE_ID = /^[A-Za-z0-9._:-]{1,200}$/;

function documentation(app: NestFastifyApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Learning-action tracker')
    .setDescription(
      'What safeguarding partnerships learn from serious cases, and whether they act on it. ' +
        'Every change is an event; nothing is updated in place or deleted. Errors are application/problem+json (RFC 9457).',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .addServer('/', 'This service, wherever it is deployed')
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ProblemDto] });
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}

const trustHops = (hops: number) => (_address: string, hop: number) => hop < hops;

/** The HTTP service, ready to listen: used by main and by the end-to-end tests alike. */
export async function createApp(dependencies: Omit<AppDependencies, 'metrics'> & { logger: Logger }): Promise<NestFastifyApplication> {
  await migrateService(dependencies.pool);
  const metrics = new Metrics();
  const { http, web } = dependencies.config;
  const requestTimeout = http.requestTimeoutSeconds * 1000;
  const adapter = new FastifyAdapter({
    loggerInstance: dependencies.logger,
    bodyLimit: ONE_MIB,
    requestTimeout,
    // A number of hops: proxy-addr counts them from the service outwards, the client's own address being hop 0.
    trustProxy: typeof http.trustProxy === 'number' ? trustHops(http.trustProxy) : http.trustProxy,
    keepAliveTimeout: 5_000,
    connectionTimeout: 120_000,
    // Node checks for requests over their time every interval; its default of 30 s would let a slow body hold on twice as long.
    http: { requestTimeout, headersTimeout: requestTimeout, connectionsCheckingInterval: Math.min(1_000, requestTimeout) },
    clientErrorHandler: clientErrorFor(web.development),
    frameworkErrors: routerErrorFor(web.development),
    requestIdHeader: false,
    genReqId: (request: IncomingMessage) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && SAFE_ID.test(given) ? given : randomUUID();
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register({ ...dependencies, metrics }), adapter, {
    logger: new NestPinoLogger(dependencies.logger),
    bodyParser: false,
    // A provider that cannot start (an unreachable event store) is reported by main in one line, not by Nest exiting.
    abortOnError: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  // Bodies are JSON or nothing: anything else is 415, never parsed as a form a browser could post cross-site.
  fastify.removeContentTypeParser(['text/plain']);
  // An action plan to import is the one body that is not JSON: CSV or XLSX, read whole, up to its own limit.
  fastify.addContentTypeParser([...PLAN_MEDIA_TYPES], { parseAs: 'buffer', bodyLimit: MAX_FILE_BYTES }, (_request, body, done) =>
    done(null, body),
  );
  fastify.addHook('onRequest', async (request, reply) => {
    const given = request.headers['x-correlation-id'];
    const correlationId = typeof given === 'string' && SAFE_ID.test(given) ? given : request.id;
    Object.assign(request, { correlationId });
    reply.header('x-request-id', request.id).header('x-correlation-id', correlationId);
  });
  fastify.addHook('onResponse', async (request, reply) => {
    metrics.observeRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });
  await setUpHttpEdge(app, {
    http,
    development: web.development,
    verifyToken: app.get(TOKEN_VERIFIER),
    sessions: app.get(WebSessions),
  });
  await setUpWeb(app, web);
  // After the edge's headers: a refusal carries them like any other answer.
  refuseOtherMediaTypes(fastify, [
    {
      types: [...PLAN_MEDIA_TYPES],
      method: 'POST',
      path: IMPORT_PATH,
      says: PLAN_FORMATS,
    },
    ...WEB_BODIES,
  ]);
  app.useGlobalFilters(new ProblemFilter());
  app.useGlobalPipes(new RequestValidationPipe());
  app.enableShutdownHooks();
  documentation(app);
  await app.init();
  return app;
}
