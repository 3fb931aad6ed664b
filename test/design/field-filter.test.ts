// The field filter on JSON text, unit by unit: what it keeps byte for byte, what it removes,
// and what it leaves alone. Behaviour through the proxy is in enforce.test.ts.
import { describe, expect, it } from 'vitest';
import { compileSelection, filterJsonText, filterNdjsonText, UnfilterableJson } from '../../src/design/field-filter.js';

function filtered(text: string, paths: string[], representation: 'absent' | 'null' = 'absent'): { text: string | undefined; removed: string[] } {
  const removed = new Set<string>();
  const result = filterJsonText(text, compileSelection(paths), representation, removed);
  return { text: result, removed: [...removed].sort() };
}

describe('filterJsonText', () => {
  it('keeps selected values byte for byte, large ids and escapes included', () => {
    const text = '{ "id" : 12345678901234567890, "note": "a \\"quoted\\" \\\\ text", "bsn": "1", "amount": 1.50e2 }';
    expect(filtered(text, ['id', 'note', 'amount'])).toEqual({ text: '{"id" : 12345678901234567890,"note": "a \\"quoted\\" \\\\ text","amount": 1.50e2}', removed: ['bsn'] });
  });

  it('selects within nested objects and in arrays at any depth', () => {
    const text = JSON.stringify({ a: { b: { c: 1, d: 2 }, e: 3 }, list: [{ x: [{ y: 1, z: 2 }], w: 0 }], drop: { deep: true } });
    expect(filtered(text, ['a.b.c', 'list.x.y'])).toEqual({
      text: '{"a":{"b":{"c":1}},"list":[{"x":[{"y":1}]}]}',
      removed: ['a.b.d', 'a.e', 'drop', 'list.w', 'list.x.z'],
    });
  });

  it('keeps a selected field whole, whatever is below it', () => {
    expect(filtered('{"address":{"city":"X","geo":{"lat":1}},"bsn":"2"}', ['address']).text).toBe('{"address":{"city":"X","geo":{"lat":1}}}');
  });

  it('writes null instead of leaving a field out when asked', () => {
    expect(filtered('[{"id":1,"address":{"city":"X","street":"Y"},"tags":["a"]}]', ['id', 'address.city'], 'null').text).toBe('[{"id":1,"address":{"city":"X","street":null},"tags":null}]');
  });

  it('returns undefined when nothing is removed, and knows escaped field names', () => {
    expect(filtered('[{"id":1},{"id":2}]', ['id'])).toEqual({ text: undefined, removed: [] });
    expect(filtered('{"\\u0069d":1,"x":2}', ['id']).text).toBe('{"\\u0069d":1}');
  });

  it('leaves values that are not objects where the selection expects some', () => {
    expect(filtered('{"address":null,"contacts":[null,"x",{"type":"e","value":"v"}]}', ['address.city', 'contacts.type']).text).toBe('{"address":null,"contacts":[null,"x",{"type":"e"}]}');
  });

  it('refuses text that is not JSON, so the answer can go on untouched', () => {
    expect(() => filtered('{"id":1,', ['id'])).toThrow(UnfilterableJson);
    expect(() => filtered('{"id":1} trailing', ['id'])).toThrow(UnfilterableJson);
    expect(() => filtered('{"id" 1}', ['id'])).toThrow(UnfilterableJson);
  });

  it('refuses nesting deeper than it follows rather than overflowing the stack', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(() => filtered(deep, ['id'])).toThrow(UnfilterableJson);
  });
});

describe('filterNdjsonText', () => {
  it('filters each line, keeping empty lines and lines that are not JSON', () => {
    const removed = new Set<string>();
    const text = '{"id":1,"bsn":"a"}\r\n\nnot json\n{"id":2,"bsn":"b"}\n';
    expect(filterNdjsonText(text, compileSelection(['id']), 'absent', removed)).toBe('{"id":1}\r\n\nnot json\n{"id":2}\n');
    expect([...removed]).toEqual(['bsn']);
  });
});
