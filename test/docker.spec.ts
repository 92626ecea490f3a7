import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

// No Docker engine runs where this project is built: these checks are what can be proved without one.
const ROOT = join(__dirname, '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** The variables CONTRACT.md fixes. */
const CONTRACT_VARIABLES = [
  'PORT',
  'DATABASE_URL',
  'DATA_DIR',
  'EVENT_STORE',
  'EVENTSTOREDB_URL',
  'AUTH_DEV_SECRET',
  'AUTH_JWKS_URL',
  'AUTH_ISSUER',
  'AUTH_AUDIENCE',
  'DEMO',
  'RATE_LIMIT_PER_MINUTE',
];

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** Every environment variable the service's code reads: `env.NAME`, or `const { NAME: name } = env`. */
const serviceVariables = new Set(
  ['apps/api/src', 'libs/infrastructure/src'].flatMap(sourceFiles).flatMap((file) => {
    const source = read(file);
    const direct = [...source.matchAll(/\benv\.([A-Z][A-Z0-9_]+)/g)].map((match) => match[1]);
    const destructured = [...source.matchAll(/const \{([^}]+)\} = env\b/g)].flatMap((match) =>
      [...match[1].matchAll(/\b([A-Z][A-Z0-9_]+)\b/g)].map((name) => name[1]),
    );
    return [...direct, ...destructured];
  }),
);

type Service = {
  build?: { context: string; dockerfile: string };
  environment?: Record<string, string>;
  depends_on?: Record<string, object>;
  image?: string;
};
type Compose = { services: Record<string, Service> };

describe.each(['docker/compose.yaml', 'docker/compose.eventstoredb.yaml'])('%s', (file) => {
  const compose = parse(read(file), { merge: true }) as Compose;
  const api = compose.services.api;

  it('builds the service from this repository with docker/Dockerfile', () => {
    expect(api.build).toBeDefined();
    const context = join(ROOT, 'docker', api.build!.context);
    expect(context).toBe(ROOT);
    expect(existsSync(join(context, api.build!.dockerfile))).toBe(true);
  });

  it('passes every contract variable, and only variables the service reads', () => {
    const given = Object.keys(api.environment ?? {});
    expect(given).toEqual(expect.arrayContaining(CONTRACT_VARIABLES));
    expect(given.filter((name) => !serviceVariables.has(name))).toEqual([]);
  });

  it('depends only on services it defines, each with a health check to wait for', () => {
    for (const name of Object.keys(api.depends_on ?? {})) {
      expect(compose.services[name]).toBeDefined();
      expect(compose.services[name]).toHaveProperty('healthcheck');
      expect(api.depends_on![name]).toEqual({ condition: 'service_healthy' });
    }
  });
});

describe('the EventStoreDB variant', () => {
  const compose = parse(read('docker/compose.eventstoredb.yaml'), { merge: true }) as Compose;

  it('runs a three-node cluster that the service connects to through every node', () => {
    const nodes = Object.entries(compose.services).filter(([, service]) => service.image?.startsWith('eventstore/eventstore:'));
    expect(nodes).toHaveLength(3);
    const { EVENT_STORE, EVENTSTOREDB_URL } = compose.services.api.environment!;
    expect(EVENT_STORE).toBe('eventstoredb');
    for (const [name, service] of nodes) {
      expect(service.environment).toMatchObject({ EVENTSTORE_CLUSTER_SIZE: '3' });
      expect(EVENTSTOREDB_URL).toContain(`${name}:2113`);
      const seeds = String(service.environment!.EVENTSTORE_GOSSIP_SEED).split(',');
      expect(seeds.sort()).toEqual(
        nodes
          .filter(([other]) => other !== name)
          .map(([other]) => `${other}:2113`)
          .sort(),
      );
    }
  });
});

describe('docker/Dockerfile', () => {
  const dockerfile = read('docker/Dockerfile');
  const instructions = dockerfile.split('\n').filter((line) => /^[A-Z]+ /.test(line));

  it('builds in one stage and runs in another, as a user that is not root, with a health check', () => {
    expect(instructions.filter((line) => line.startsWith('FROM ')).length).toBe(2);
    const user = instructions.filter((line) => line.startsWith('USER ')).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/\b(root|0)\b/);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\/health\/ready/ms);
  });

  it('copies only paths that exist here, and starts what `npm start` starts', () => {
    const copied = instructions
      .filter((line) => line.startsWith('COPY ') && !line.includes('--from='))
      .flatMap((line) =>
        line
          .replace(/^COPY (--\S+ )*/, '')
          .split(' ')
          .slice(0, -1),
      );
    expect(copied.length).toBeGreaterThan(3);
    for (const path of copied) expect({ path, exists: existsSync(join(ROOT, path)) }).toEqual({ path, exists: true });
    const started = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)?.[1] ?? '[]') as string[];
    const scripts = JSON.parse(read('package.json')).scripts;
    expect(started[0]).toBe('node');
    expect(scripts.start).toContain(started.join(' '));
    expect(dockerfile).toContain('RUN npm run build');
  });
});
