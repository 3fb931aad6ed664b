// Which fixture answers a request. The key (method and path today) narrows the candidates;
// then query parameters, then the body, compared as JSON when both sides are JSON. Several
// fixtures for the same request are served in recorded order, then the last one again.
// A request's body is parsed once and each side reduced to a digest once (a fixture's kept),
// so a 1 MB body against a thousand recorded POSTs to the same path costs one parse and a
// thousand digest comparisons, not a thousand parses; the differences are spelled out only
// for the few nearest fixtures a miss names.
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { bodyBytes, fixtureBodyValue, type Fixture } from './fixture.js';

export interface ReplayRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string | readonly string[]>>;
  readonly body: Buffer;
}

/**
 * The parts of a request that pick its candidates. Pluggable so that an API description can
 * key by operation and path parameters later; both a request and a fixture's request go through it.
 */
export type RequestKey = (request: Pick<ReplayRequest, 'method' | 'path'>) => readonly string[];

export const methodAndPath: RequestKey = (request) => [request.method.toUpperCase(), request.path];

export interface MatchOptions {
  readonly key?: RequestKey;
  readonly ignoreQuery?: readonly string[];
  readonly ignoreBodyFields?: readonly string[];
  /** Refuse a repeat beyond the recorded ones instead of serving the last again. */
  readonly strict?: boolean;
}

export interface NamedFixture {
  readonly file: string;
  readonly fixture: Fixture;
}

export interface NearMiss {
  readonly file: string;
  readonly method: string;
  readonly path: string;
  /** What differs, e.g. "query limit: 5 (fixture: 3)". */
  readonly differences: readonly string[];
}

export type MatchResult =
  | { readonly kind: 'hit'; readonly fixture: NamedFixture; readonly call: number; readonly recorded: number }
  | { readonly kind: 'exhausted'; readonly fixtures: readonly NamedFixture[]; readonly call: number }
  | { readonly kind: 'miss'; readonly nearest: readonly NearMiss[] };

const NEAREST_SHOWN = 3;
const BODY_DIFFERENCES_SHOWN = 5;
/** A method or path length that differs weighs this much or more. */
const UNLIKE_DISTANCE = 20;

export class FixtureMatcher {
  readonly #byKey = new Map<string, NamedFixture[]>();
  readonly #all: readonly NamedFixture[];
  readonly #served = new Map<string, number>();
  readonly #key: RequestKey;
  readonly #options: MatchOptions;
  readonly #digests = new FixtureDigests();

  constructor(fixtures: readonly NamedFixture[], options: MatchOptions = {}) {
    this.#all = fixtures;
    this.#options = options;
    this.#key = options.key ?? methodAndPath;
    for (const named of fixtures) {
      const key = keyText(this.#key(named.fixture.request));
      const list = this.#byKey.get(key);
      if (list) list.push(named);
      else this.#byKey.set(key, [named]);
    }
  }

  match(request: ReplayRequest): MatchResult {
    const body = new RequestBody(request.body);
    const candidates = this.#byKey.get(keyText(this.#key(request))) ?? [];
    const matching = candidates.filter((named) => this.#differences(request, body, named.fixture, false).length === 0);
    if (matching.length === 0) return { kind: 'miss', nearest: this.#nearest(request, body) };
    // The same request (the same set of fixtures answers it) counts its calls.
    const group = matching.map((named) => named.file).join('\n');
    const call = (this.#served.get(group) ?? 0) + 1;
    this.#served.set(group, call);
    if (call > matching.length && this.#options.strict) return { kind: 'exhausted', fixtures: matching, call };
    const fixture = matching[Math.min(call, matching.length) - 1] as NamedFixture;
    return { kind: 'hit', fixture, call, recorded: matching.length };
  }

  #nearest(request: ReplayRequest, body: RequestBody): NearMiss[] {
    const all = (named: NamedFixture, detailed: boolean): Difference[] => [...this.#keyDifferences(request, named.fixture), ...this.#differences(request, body, named.fixture, detailed)];
    const ranked = this.#all.map((named) => ({ named, distance: distance(all(named, false)) })).sort((a, b) => a.distance - b.distance);
    // Fixtures of the same method and path shape say the most; the others only when there are none.
    const alike = ranked.filter((entry) => entry.distance < UNLIKE_DISTANCE);
    return (alike.length > 0 ? alike : ranked)
      .slice(0, NEAREST_SHOWN)
      .map(({ named }) => ({ file: named.file, method: named.fixture.request.method, path: named.fixture.request.path, differences: all(named, true).map((d) => d.text) }));
  }

  #keyDifferences(request: ReplayRequest, fixture: Fixture): Difference[] {
    const differences: Difference[] = [];
    if (request.method.toUpperCase() !== fixture.request.method.toUpperCase()) differences.push({ weight: 20, text: `method: ${request.method} (fixture: ${fixture.request.method})` });
    const got = request.path.split('/');
    const recorded = fixture.request.path.split('/');
    if (got.length !== recorded.length) {
      differences.push({ weight: 30, text: `path: ${request.path} (fixture: ${fixture.request.path})` });
      return differences;
    }
    got.forEach((segment, position) => {
      const theirs = recorded[position] ?? '';
      // A segment that differs in both being numbers is most likely a path parameter (an id).
      if (segment !== theirs) differences.push({ weight: /^\d+$/.test(segment) && /^\d+$/.test(theirs) ? 3 : 10, text: `path segment ${position}: ${segment} (fixture: ${theirs})` });
    });
    return differences;
  }

  /** `detailed`: name each body difference (for a miss's nearest fixtures); otherwise one counts. */
  #differences(request: ReplayRequest, body: RequestBody, fixture: Fixture, detailed: boolean): Difference[] {
    const ignoredQuery = new Set([...(this.#options.ignoreQuery ?? []), ...(fixture.match?.ignoreQuery ?? [])]);
    const ignoredFields = new Set([...(this.#options.ignoreBodyFields ?? []), ...(fixture.match?.ignoreBodyFields ?? [])]);
    return [...queryDifferences(request.query, fixture.request.query, ignoredQuery), ...this.#bodyDifferences(body, fixture, ignoredFields, detailed)];
  }

  #bodyDifferences(got: RequestBody, fixture: Fixture, ignored: ReadonlySet<string>, detailed: boolean): Difference[] {
    const recorded = fixture.request;
    const parsed = recorded.bodyEncoding === 'json' ? got.json() : undefined;
    if (parsed?.ok) {
      const ignoring = [...ignored].sort().join('\u0000');
      if (got.jsonDigest(ignoring, ignored) === this.#digests.json(fixture, ignoring, ignored)) return [];
      if (!detailed) return [{ weight: 1, text: 'body' }];
      return jsonDifferences(withoutFields(parsed.value, ignored), withoutFields(fixtureBodyValue(recorded), ignored), 'body')
        .slice(0, BODY_DIFFERENCES_SHOWN)
        .map((text) => ({ weight: 1, text }));
    }
    const { digest, length } = this.#digests.bytes(fixture);
    if (got.bytesDigest() === digest) return [];
    const describe = (bytes: number): string => (bytes === 0 ? 'empty' : `${bytes} bytes`);
    return [{ weight: 2, text: `body: ${describe(got.bytes.length)} (fixture: ${describe(length)}, not the same bytes)` }];
  }
}

/** A request's body, parsed and digested at most once however many fixtures it is compared with. */
class RequestBody {
  #json: { ok: true; value: unknown } | { ok: false } | undefined;
  #bytesDigest: string | undefined;
  readonly #jsonDigests = new Map<string, string>();

  constructor(readonly bytes: Buffer) {}

  json(): { ok: true; value: unknown } | { ok: false } {
    return (this.#json ??= parseJson(this.bytes));
  }

  jsonDigest(ignoring: string, ignored: ReadonlySet<string>): string {
    let digest = this.#jsonDigests.get(ignoring);
    if (digest === undefined) {
      const parsed = this.json();
      digest = parsed.ok ? jsonDigest(withoutFields(parsed.value, ignored)) : '';
      this.#jsonDigests.set(ignoring, digest);
    }
    return digest;
  }

  bytesDigest(): string {
    return (this.#bytesDigest ??= digestOf(this.bytes));
  }
}

/** The fixtures' digests, made once each. */
class FixtureDigests {
  readonly #json = new WeakMap<Fixture, Map<string, string>>();
  readonly #bytes = new WeakMap<Fixture, { readonly digest: string; readonly length: number }>();

  json(fixture: Fixture, ignoring: string, ignored: ReadonlySet<string>): string {
    let byIgnoring = this.#json.get(fixture);
    if (!byIgnoring) this.#json.set(fixture, (byIgnoring = new Map()));
    let digest = byIgnoring.get(ignoring);
    if (digest === undefined) byIgnoring.set(ignoring, (digest = jsonDigest(withoutFields(fixtureBodyValue(fixture.request), ignored))));
    return digest;
  }

  bytes(fixture: Fixture): { readonly digest: string; readonly length: number } {
    let known = this.#bytes.get(fixture);
    if (!known) {
      const bytes = bodyBytes(fixture.request);
      this.#bytes.set(fixture, (known = { digest: digestOf(bytes), length: bytes.length }));
    }
    return known;
  }
}

interface Difference {
  readonly weight: number;
  readonly text: string;
}

function distance(differences: readonly Difference[]): number {
  return differences.reduce((sum, difference) => sum + difference.weight, 0);
}

function keyText(parts: readonly string[]): string {
  return parts.join('\u0000');
}

function values(value: string | readonly string[] | undefined): readonly string[] {
  return value === undefined ? [] : typeof value === 'string' ? [value] : value;
}

function queryDifferences(got: ReplayRequest['query'], recorded: ReplayRequest['query'], ignored: ReadonlySet<string>): Difference[] {
  const differences: Difference[] = [];
  const names = [...new Set([...Object.keys(recorded), ...Object.keys(got)])].sort();
  for (const name of names) {
    if (ignored.has(name)) continue;
    const mine = values(got[name]);
    const theirs = values(recorded[name]);
    if (isDeepStrictEqual([...mine].sort(), [...theirs].sort())) continue;
    const shown = (list: readonly string[]): string => (list.length === 0 ? 'absent' : list.join(', '));
    differences.push({ weight: 1, text: `query ${name}: ${shown(mine)} (fixture: ${shown(theirs)})` });
  }
  return differences;
}

function parseJson(bytes: Buffer): { ok: true; value: unknown } | { ok: false } {
  if (bytes.length === 0) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(bytes.toString('utf8')) as unknown };
  } catch {
    return { ok: false };
  }
}

function digestOf(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('base64');
}

/** Equal for JSON values isDeepStrictEqual calls equal: objects with their keys sorted, arrays in order. */
function jsonDigest(value: unknown): string {
  return digestOf(JSON.stringify(value, (_key, inner: unknown) => (inner !== null && typeof inner === 'object' && !Array.isArray(inner) ? sortedObject(inner as Record<string, unknown>) : inner)));
}

function sortedObject(object: Record<string, unknown>): Record<string, unknown> {
  // No prototype: a "__proto__" field stays a field.
  const sorted = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(object).sort()) sorted[key] = object[key];
  return sorted;
}

function withoutFields(value: unknown, ignored: ReadonlySet<string>): unknown {
  if (ignored.size === 0 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => withoutFields(item, ignored));
  return Object.fromEntries(Object.entries(value).filter(([key]) => !ignored.has(key)).map(([key, inner]) => [key, withoutFields(inner, ignored)]));
}

function jsonDifferences(got: unknown, recorded: unknown, where: string): string[] {
  if (isDeepStrictEqual(got, recorded)) return [];
  const bothObjects = typeof got === 'object' && got !== null && typeof recorded === 'object' && recorded !== null && Array.isArray(got) === Array.isArray(recorded);
  if (!bothObjects) return [`${where}: ${shortJson(got)} (fixture: ${shortJson(recorded)})`];
  const mine = got as Record<string, unknown>;
  const theirs = recorded as Record<string, unknown>;
  const names = [...new Set([...Object.keys(theirs), ...Object.keys(mine)])];
  return names.flatMap((name) => jsonDifferences(mine[name], theirs[name], Array.isArray(got) ? `${where}[${name}]` : `${where}.${name}`));
}

function shortJson(value: unknown): string {
  if (value === undefined) return 'absent';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
