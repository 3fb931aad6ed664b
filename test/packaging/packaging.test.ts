// What can be checked of the Docker image and the documented settings without a Docker engine.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../../src/config/settings.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string): string => readFileSync(`${root}${file}`, 'utf8');
const pkg = JSON.parse(read('package.json')) as { bin: Record<string, string>; engines: { node: string }; scripts: Record<string, string> };

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  const runtime = dockerfile.slice(dockerfile.indexOf(' AS runtime'));

  it('runs the same entry point as the package bin', () => {
    const cmd = /^CMD \["node", "([^"]+)", "start"\]$/m.exec(dockerfile)?.[1];
    expect(cmd).toBe(pkg.bin['ons-proxy']);
    expect(existsSync(`${root}${cmd}`)).toBe(true);
  });

  it('builds the runtime from the npm pack tarball: from the source tree it takes only the lockfile', () => {
    expect(dockerfile).toMatch(/^RUN npm run build && mkdir -p \/pack && npm pack --ignore-scripts --pack-destination \/pack /m);
    expect(runtime).toMatch(/^COPY --from=build \/pack\/package\.tgz \S+$/m);
    expect([...runtime.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].map((m) => m[1])).toEqual(['package-lock.json']);
    expect(runtime).toMatch(/tar -xzf \/tmp\/package\.tgz --strip-components=1 -C \/app/);
  });

  it('copies only paths that exist into the build', () => {
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => (m[1] ?? '').split(' '));
    expect(sources.length).toBeGreaterThan(3);
    for (const source of sources) expect(existsSync(`${root}${source}`), source).toBe(true);
  });

  it('runs as a non-root user on a slim Node LTS image, with a health check on /__proxy/health', () => {
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^FROM node:\$\{NODE_VERSION\}-slim AS runtime$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n\s+CMD .*\/__proxy\/health/m);
    expect(dockerfile).toMatch(/ONS_PROXY_UNSAFE_LISTEN=true/);
  });
});

describe('docker-compose.yml', () => {
  const compose = read('docker-compose.yml');

  it('publishes the port on the host loopback only', () => {
    expect(compose).toMatch(/- "127\.0\.0\.1:8080:8080"/);
  });

  it('mounts the certificates read-only, keeps logs in a volume and reads .env', () => {
    expect(compose).toMatch(/- \.\/certs:\/app\/certs:ro/);
    expect(compose).toMatch(/- proxy-logs:\/app\/logs/);
    expect(compose).toMatch(/env_file: \.env/);
  });

  it('binds 0.0.0.0 inside the container only with unsafe-listen set explicitly', () => {
    expect(compose).toMatch(/ONS_PROXY_HOST: 0\.0\.0\.0/);
    expect(compose).toMatch(/ONS_PROXY_UNSAFE_LISTEN: "true"/);
  });
});

describe('documentation of the settings', () => {
  it('.env.example documents every setting', () => {
    const example = read('.env.example');
    for (const spec of SETTINGS) expect(example, spec.env).toMatch(new RegExp(`^${spec.env}=`, 'm'));
  });

  it('the README table names every setting and its flag', () => {
    const readme = read('README.md');
    for (const spec of SETTINGS) {
      expect(readme, spec.env).toContain(`\`${spec.env}\``);
      expect(readme, spec.flag).toContain(`\`--${spec.flag}\``);
    }
  });

  it('the README opens with the demo and test commands', () => {
    const readme = read('README.md');
    const firstCommands = [...readme.matchAll(/^```(?:sh|bash)?\n([^`]+?)\n```/gm)].slice(0, 2).map((m) => m[1]?.trim());
    expect(firstCommands).toEqual(['npm install && npm run demo', 'npm test']);
  });

  it('declares the Node versions it runs on', () => {
    expect(pkg.engines.node).toBe('>=20.19');
  });
});
