import { ADMIN, AUDITOR, Answer, CHAIR, SUBGROUP, TestService, TestUser, partnerUser, seedAction, startService } from './support/app';

const SEED = 20_261_206;
const REQUESTS = 2_000;

type Schema = Readonly<{
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  pattern?: string;
  maxLength?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
}>;
type Parameter = Readonly<{ name: string; in: 'path' | 'query' | 'header'; schema?: Schema }>;
type Operation = Readonly<{ method: string; path: string; parameters: Parameter[]; body?: Schema }>;
type Document = Readonly<{
  paths: Record<string, Record<string, { parameters?: Parameter[]; requestBody?: { content: Record<string, { schema: Schema }> } }>>;
  components: { schemas: Record<string, Schema> };
}>;

/** A small, fast generator with a fixed seed: the same run of requests every time. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (below: number) => Math.floor(next() * below);
  return { chance: (p: number) => next() < p, int, pick: <T>(items: readonly T[]): T => items[int(items.length)] };
}

const HOSTILE: readonly unknown[] = [
  '',
  ' ',
  '\u200b\u200b',
  'a\u0000b',
  'a\ud800b',
  '\udfff',
  'a\u0007b',
  'x'.repeat(5_000),
  '<script>alert(1)</script>',
  "'; DROP TABLE events; --",
  '../../etc/passwd',
  '%00',
  '{{7*7}}',
  '\u202eevil',
  '👩‍👧 emoji',
  '9'.repeat(30),
  '2026-02-30',
  '1900-01-01',
  'constructor',
  1e308,
  -1,
  0,
  1.5,
  null,
  true,
  [],
  {},
  ['a', 1],
  { __proto__: { admin: true } },
  JSON.parse('{"constructor":{"prototype":{"polluted":true}}}'),
];

/** Percent-encoded; a lone surrogate, which UTF-8 cannot hold, goes as the bytes a careless encoder would send for it. */
const encode = (text: string) => {
  try {
    return encodeURIComponent(text);
  } catch {
    return '%ED%A0%80';
  }
};

const USERS: readonly (TestUser | string | undefined)[] = [
  ADMIN,
  SUBGROUP,
  CHAIR,
  AUDITOR,
  partnerUser('police'),
  partnerUser('health'),
  undefined,
  'not.a.token',
];

describe('a fuzzer driven by the service’s own OpenAPI document', () => {
  let service: TestService;
  let operations: Operation[];
  let schemas: Record<string, Schema>;
  const ids: Record<string, string[]> = { review: [], recommendation: [], action: [], evidence: [] };

  beforeAll(async () => {
    service = await startService();
    const document = (await service.request('GET', '/docs-json')).body as Document;
    schemas = document.components.schemas;
    operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        method: method.toUpperCase(),
        path,
        parameters: operation.parameters ?? [],
        body: operation.requestBody?.content['application/json']?.schema,
      })),
    );
    for (let n = 0; n < 2; n++) {
      const seeded = await seedAction(service, ['police', 'health']);
      ids.review.push(seeded.reviewId);
      ids.recommendation.push(seeded.recommendationId);
      ids.action.push(seeded.actionId);
    }
  }, 60_000);
  afterAll(() => service.close());

  /** Every event of the log: its position, and the write that made it (one write may record several events). */
  type Logged = { position: string; causationId: string };
  async function auditLog(): Promise<Logged[]> {
    const positions: Logged[] = [];
    let cursor: string | null = null;
    do {
      const page: Answer = await service.request('GET', `/audit/events?limit=500${cursor ? `&cursor=${cursor}` : ''}`, {
        as: AUDITOR,
        readYourWrites: false,
      });
      expect(page.status).toBe(200);
      positions.push(
        ...page.body.items.map((event: { position: string; metadata: { causationId: string } }) => ({
          position: event.position,
          causationId: event.metadata.causationId,
        })),
      );
      cursor = page.body.nextCursor;
    } while (cursor);
    return positions;
  }

  it(`sends ${REQUESTS} generated requests: no 5xx, every error a problem, and events only for accepted writes`, async () => {
    const random = generator(SEED);
    const resolve = (schema: Schema): Schema => (schema.$ref ? schemas[schema.$ref.split('/').at(-1)!] : schema);

    const valid = (given: Schema): unknown => {
      const schema = resolve(given);
      if (schema.enum) return random.pick(schema.enum);
      if (schema.type === 'array') return Array.from({ length: random.int(3) }, () => valid(schema.items ?? { type: 'string' }));
      if (schema.type === 'object' || schema.properties) {
        const entries = Object.entries(schema.properties ?? {}).filter(([name]) => schema.required?.includes(name) || random.chance(0.5));
        return Object.fromEntries(entries.map(([name, property]) => [name, valueFor(name, property)]));
      }
      if (schema.type === 'integer' || schema.type === 'number') return random.int(100);
      if (schema.type === 'boolean') return random.chance(0.5);
      if (schema.format === 'date') return `20${random.pick(['27', '30', '99'])}-0${1 + random.int(9)}-1${random.int(9)}`;
      if (schema.format === 'date-time') return random.pick(['2026-01-01T00:00:00Z', '2027-06-30T12:00:00+01:00', '2026-11-28']);
      if (schema.format === 'uuid')
        return `${random.int(1e8).toString(16).padStart(8, '0')}-0000-4000-8000-${random.int(1e12).toString(16).padStart(12, '0')}`;
      if (schema.format === 'uri') return random.pick(['https://example.org/evidence', 'http://intranet/report.pdf']);
      if (schema.format === 'email') return `team${random.int(100)}@agency.gov.uk`;
      if (schema.pattern) return `p-${random.int(1_000_000)}`;
      return `text ${random.int(1_000)}`.slice(0, schema.maxLength ?? 100);
    };
    /** Fields that name something the service knows get a real id most of the time. */
    const valueFor = (name: string, schema: Schema): unknown => {
      if (name === 'recommendationId' && random.chance(0.8)) return random.pick(ids.recommendation);
      if (name === 'partnerId' && random.chance(0.8)) return random.pick(['police', 'health']);
      return valid(schema);
    };
    const mutated = (schema: Schema): unknown => {
      const body = valid(schema) as Record<string, unknown>;
      const fields = Object.keys(resolve(schema).properties ?? {});
      switch (random.int(6)) {
        case 0:
          return random.pick(HOSTILE);
        case 1:
          if (fields.length) delete body[random.pick(fields)];
          return body;
        case 2:
          return { ...body, [random.pick(['unknown', 'constructor', 'toString', '__proto__', 'role'])]: random.pick(HOSTILE) };
        default:
          if (fields.length) body[random.pick(fields)] = random.pick(HOSTILE);
          return body;
      }
    };
    const pathValue = (name: string, path: string): string => {
      const known = name === 'evidenceId' ? ids.evidence : path.startsWith('/reviews') ? ids.review : ids.action;
      if (known.length && random.chance(0.7)) return random.pick(known);
      return encode(
        String(
          random.pick([
            ...HOSTILE.filter((value) => typeof value === 'string' && value !== ''),
            '__proto__',
            'constructor',
            '00000000-0000-4000-8000-000000000000',
          ]),
        ),
      );
    };
    const queryValue = (parameter: Parameter): string =>
      random.chance(0.6) && parameter.name !== 'position'
        ? String(valid(parameter.schema ?? { type: 'string' }))
        : String(random.pick(HOSTILE));

    const before = await auditLog();
    const accepted = new Set<string>();
    const failures: string[] = [];
    const statuses: Record<number, number> = {};

    for (let n = 0; n < REQUESTS; n++) {
      const operation = random.pick(operations);
      let path = operation.path.replace(/\{(\w+)\}/g, (_, name: string) => pathValue(name, operation.path));
      const query = operation.parameters
        .filter((parameter) => parameter.in === 'query' && random.chance(0.4))
        .map((parameter) => `${parameter.name}=${encode(queryValue(parameter))}`);
      if (random.chance(0.05)) query.push(`${random.pick(['constructor', 'toString', 'unknown'])}=1`);
      if (query.length) path += `?${query.join('&')}`;
      const headers: Record<string, string> = {};
      if (operation.method === 'POST' && random.chance(0.1))
        headers['if-match'] = random.pick(['1', '2', '0', '-1', 'abc', '99999999999999999999', '"3"']);
      if (operation.method === 'POST' && random.chance(0.15))
        headers['idempotency-key'] = random.pick(['k1', 'k2', 'k3', 'x'.repeat(300), '']);
      const body = operation.body ? (random.chance(0.6) ? valid(operation.body) : mutated(operation.body)) : undefined;
      const raw = operation.body && random.chance(0.03) ? random.pick(['{"a":', '[1,2', 'null', '"text"', '']) : undefined;

      const answer = await service.request(operation.method, path, {
        // A subgroup member more often than the rest, so that plenty of writes get as far as the domain.
        as: random.chance(0.4) ? SUBGROUP : random.pick(USERS),
        body: raw ?? body,
        headers: { ...headers, ...(raw !== undefined && { 'content-type': 'application/json' }) },
        readYourWrites: false,
      });
      statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      const described = `${operation.method} ${path} → ${answer.status}`;
      if (answer.status >= 500) failures.push(`${described}: ${JSON.stringify(answer.body)}`);
      if (answer.status >= 400 && !answer.headers.get('content-type')?.includes('application/problem+json'))
        failures.push(`${described}: not problem+json`);
      if (answer.status >= 400 && answer.body?.status !== answer.status) failures.push(`${described}: problem without its status`);
      if (operation.method === 'POST' && answer.status < 300) {
        accepted.add(answer.body.position);
        if (operation.path === '/reviews') ids.review.push(answer.body.id);
        if (operation.path.endsWith('/recommendations')) ids.recommendation.push(answer.body.id);
        if (operation.path === '/actions') ids.action.push(answer.body.id);
        if (operation.path.endsWith('/evidence')) ids.evidence.push(answer.body.id);
      }
    }

    expect(failures).toEqual([]);
    // The run did reach the service: successes, refusals of each kind, and writes that were accepted.
    expect(Object.keys(statuses).map(Number)).toEqual(expect.arrayContaining([200, 201, 400, 401, 403, 404]));
    expect(accepted.size).toBeGreaterThan(40);

    const after = await auditLog();
    const added = after.slice(before.length);
    expect(after.slice(0, before.length)).toEqual(before);
    // Each accepted write answered with the position of its last event; every event added was made by one of them.
    const acceptedNow = [...accepted].filter((position) => BigInt(position) > BigInt(before.at(-1)?.position ?? '0'));
    const lastOfEachWrite = [...new Map(added.map((event) => [event.causationId, event.position])).values()];
    expect(lastOfEachWrite.sort()).toEqual(acceptedNow.sort());
    expect((await service.request('GET', '/audit/verify', { as: AUDITOR, readYourWrites: false })).body).toMatchObject({
      ok: true,
      checked: after.length,
    });
  }, 180_000);
});
