// Unit-level: what makes a document unusable (one reason, naming the source) and where the
// per-user cache lives on each platform.
import { describe, expect, it } from 'vitest';
import { cacheFolder, OpenApiDocumentError } from '../../src/openapi/index.js';
import { parseDocument } from '../../src/openapi/document.js';
import { isoDate } from '../../src/openapi/operations.js';

function reason(text: string): string {
  try {
    parseDocument(text, 'api.json');
  } catch (error) {
    if (error instanceof OpenApiDocumentError) return error.message;
    throw error;
  }
  return 'accepted';
}

describe('a document the proxy cannot use', () => {
  it('says what is wrong in one sentence naming the source', () => {
    expect(reason('{"openapi": "3.0.3", "paths": {')).toMatch(/^OpenAPI document api\.json is not used: it is not JSON( \(at character \d+\))?$/);
    expect(reason('openapi: 3.0.3\npaths: {}\n')).toMatch(/^OpenAPI document api\.json is not used: it is not JSON( \(at character \d+\))? \(it looks like YAML: give the JSON form of the document\)$/);
    expect(reason('[]')).toBe('OpenAPI document api.json is not used: it is not a JSON object');
    expect(reason('{"info": {}}')).toBe('OpenAPI document api.json is not used: it has no "openapi" version field, so it is not an OpenAPI document');
    expect(reason('{"openapi": "2.0", "paths": {}}')).toBe('OpenAPI document api.json is not used: "openapi" is "2.0"; the proxy reads OpenAPI 3.0 and 3.1 documents');
    expect(reason('{"openapi": "3.1.0"}')).toBe('OpenAPI document api.json is not used: it has no "paths" object');
    expect(reason('{"openapi": "3.0.3", "paths": {"clients": {}}}')).toBe('OpenAPI document api.json is not used: the path "clients" does not start with "/"');
    expect(reason('{"openapi": "3.0.3", "paths": {"/a": {"get": {"x-replacement-for": "/t/a"}}}}')).toBe('OpenAPI document api.json is not used: GET /a: "x-replacement-for" is not a list of paths');
    expect(reason('{"openapi": "3.1.0", "paths": {}}')).toBe('accepted');
  });

  it("reads Ons's DD-MM-YYYY dates as ISO dates", () => {
    expect(isoDate('19-11-2025')).toBe('2025-11-19');
    expect(isoDate('2026-03-01')).toBe('2026-03-01');
  });
});

describe('the per-user cache folder', () => {
  it('follows each platform', () => {
    expect(cacheFolder({ XDG_CACHE_HOME: '/x/cache' }, 'linux', '/home/me')).toBe('/x/cache/ons-mtls-proxy');
    expect(cacheFolder({ XDG_CACHE_HOME: 'relative' }, 'linux', '/home/me')).toBe('/home/me/.cache/ons-mtls-proxy');
    expect(cacheFolder({}, 'darwin', '/Users/me')).toBe('/Users/me/Library/Caches/ons-mtls-proxy');
    expect(cacheFolder({ LOCALAPPDATA: 'C:\\Users\\me\\AppData\\Local' }, 'win32', 'C:\\Users\\me')).toMatch(/^C:\\Users\\me\\AppData\\Local.ons-mtls-proxy.Cache$/);
  });
});
