// Unit-level checks of the matching rules that the socket tests do not reach one by one.
import { describe, expect, it } from 'vitest';
import type { Fixture } from '../../src/replay/fixture.js';
import { FixtureMatcher, type NamedFixture, type ReplayRequest, type RequestKey } from '../../src/replay/matcher.js';

function fixture(file: string, request: Partial<Fixture['request']>, match?: Fixture['match']): NamedFixture {
  return {
    file,
    fixture: {
      source: { id: file, time: '2026-11-30T10:00:00.000Z', durationMs: 1 },
      request: { method: 'GET', path: '/t/clients', query: {}, headers: {}, body: '', bodyEncoding: 'text', ...request },
      response: { status: 200, headers: {}, body: file, bodyEncoding: 'text' },
      ...(match ? { match } : {}),
    },
  };
}

function call(request: Partial<Omit<ReplayRequest, 'body'>> & { body?: string }): ReplayRequest {
  return { method: 'GET', path: '/t/clients', query: {}, ...request, body: Buffer.from(request.body ?? '') };
}

function served(matcher: FixtureMatcher, request: ReplayRequest): string {
  const result = matcher.match(request);
  return result.kind === 'hit' ? result.fixture.file : result.kind;
}

describe('FixtureMatcher', () => {
  it('compares repeated query parameters as a set of values, in any order', () => {
    const matcher = new FixtureMatcher([fixture('ids', { query: { id: ['1', '2'], limit: '5' } })]);
    expect(served(matcher, call({ query: { limit: '5', id: ['2', '1'] } }))).toBe('ids');
    expect(served(matcher, call({ query: { limit: '5', id: ['2'] } }))).toBe('miss');
  });

  it('leaves out the query parameters and body fields a fixture names, at any depth', () => {
    const matcher = new FixtureMatcher([
      fixture('since', { query: { updatedSince: '2026-11-01' } }, { ignoreQuery: ['updatedSince'] }),
      fixture('note', { method: 'POST', path: '/t/notes', body: { text: 'a', meta: { sentAt: 1 } }, bodyEncoding: 'json' }, { ignoreBodyFields: ['sentAt'] }),
    ]);
    expect(served(matcher, call({ query: { updatedSince: '2026-12-01' } }))).toBe('since');
    expect(served(matcher, call({ method: 'POST', path: '/t/notes', body: '{"meta":{"sentAt":99},"text":"a"}' }))).toBe('note');
    expect(served(matcher, call({ method: 'POST', path: '/t/notes', body: '{"meta":{"sentAt":99},"text":"b"}' }))).toBe('miss');
  });

  it('compares bodies that are not JSON byte for byte', () => {
    const matcher = new FixtureMatcher([fixture('form', { method: 'POST', body: 'a=1&b=2', bodyEncoding: 'text' })]);
    expect(served(matcher, call({ method: 'POST', body: 'a=1&b=2' }))).toBe('form');
    expect(served(matcher, call({ method: 'POST', body: 'b=2&a=1' }))).toBe('miss');
  });

  it('serves repeats in recorded order, then the last again, or refuses them when strict', () => {
    const fixtures = [fixture('first', {}), fixture('second', {})];
    const lenient = new FixtureMatcher(fixtures);
    expect([1, 2, 3].map(() => served(lenient, call({})))).toEqual(['first', 'second', 'second']);
    const strict = new FixtureMatcher(fixtures, { strict: true });
    expect([1, 2, 3].map(() => served(strict, call({})))).toEqual(['first', 'second', 'exhausted']);
  });

  it('takes its matching key from a function, so an API description can key by operation', () => {
    const byTemplate: RequestKey = (request) => [request.method, request.path.replace(/\/\d+$/, '/{id}')];
    const matcher = new FixtureMatcher([fixture('client', { path: '/t/clients/1' })], { key: byTemplate });
    expect(served(matcher, call({ path: '/t/clients/7' }))).toBe('client');
    expect(served(new FixtureMatcher([fixture('client', { path: '/t/clients/1' })]), call({ path: '/t/clients/7' }))).toBe('miss');
  });
});
