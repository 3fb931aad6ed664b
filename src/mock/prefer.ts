// Prism's Prefer preferences, so the unhappy paths can be tried: `code=404` (that declared
// answer), `example=<name>` (that named example of the answer), `dynamic=true` (data varied on
// every call instead of the same bytes for the same request). Anything else is refused, naming
// what the mock knows, rather than silently ignored.

export interface Preferences {
  readonly code: number | undefined;
  readonly example: string | undefined;
  readonly dynamic: boolean;
}

export const KNOWN_PREFERENCES = 'code=<status> (an answer the operation declares), example=<name> (one of its named examples), dynamic=true (varied data on every call)';

/** The preferences in a Prefer header, or the one it does not know. */
export function parsePrefer(header: string | string[] | undefined): Preferences | { readonly unknown: string } {
  let code: number | undefined;
  let example: string | undefined;
  let dynamic = false;
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  for (const raw of text.split(/[,;]/)) {
    const part = raw.trim();
    if (part === '') continue;
    const [name = '', ...rest] = part.split('=');
    const value = rest.join('=').trim().replace(/^"(.*)"$/, '$1');
    switch (name.trim().toLowerCase()) {
      case 'code':
        if (!/^[1-5]\d\d$/.test(value)) return { unknown: part };
        code = Number(value);
        break;
      case 'example':
        if (value === '') return { unknown: part };
        example = value;
        break;
      case 'dynamic':
        if (value !== 'true' && value !== 'false') return { unknown: part };
        dynamic = value === 'true';
        break;
      default:
        return { unknown: part };
    }
  }
  return { code, example, dynamic };
}
