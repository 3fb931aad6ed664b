// Staging's field filter: an answer keeps only the fields its model's selection names. It works
// on the JSON text itself, never on parsed values: what is kept goes out byte for byte (Ons's
// int64 ids above 2^53 included, which JSON.parse would change), and only the objects that lose
// a field are written anew. An answer that loses nothing is left as it came.

/** The selected field paths of one model as a tree: `address.city` selects city within address. */
export interface Selection {
  /** Everything below is kept (the path named this field itself). */
  readonly all: boolean;
  readonly children: ReadonlyMap<string, Selection>;
}

/** How a field the selection does not name is represented: left out, or kept with the value null. */
export type FilteredRepresentation = 'absent' | 'null';
export const FILTERED_REPRESENTATIONS: readonly FilteredRepresentation[] = ['absent', 'null'];

interface Building {
  all: boolean;
  children: Map<string, Building>;
}

export function compileSelection(paths: readonly string[]): Selection {
  const root: Building = { all: false, children: new Map() };
  for (const path of paths) {
    let node = root;
    for (const part of path.split('.')) {
      let child = node.children.get(part);
      if (!child) node.children.set(part, (child = { all: false, children: new Map() }));
      node = child;
    }
    node.all = true;
  }
  return root;
}

/** A body that is not JSON, or nests deeper than the filter follows: it is passed on untouched. */
export class UnfilterableJson extends Error {}

const MAX_DEPTH = 512;

/**
 * The JSON text with every field the selection does not name removed (or set to null), at any
 * depth; the items of an array are each filtered with the array's selection. Removed field paths
 * are added to `removed` (dot paths, as the design writes them). Undefined when nothing was removed.
 */
export function filterJsonText(text: string, selection: Selection, representation: FilteredRepresentation, removed: Set<string>): string | undefined {
  const filter = new TextFilter(text, representation, removed);
  const result = filter.value(selection, '', 0);
  filter.end();
  return result;
}

/** NDJSON: each line filtered on its own; empty lines, and lines that are not JSON, kept as they are. Undefined when nothing was removed. */
export function filterNdjsonText(text: string, selection: Selection, representation: FilteredRepresentation, removed: Set<string>): string | undefined {
  const lines = text.split('\n');
  let changed = false;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    if (line.trim() === '') continue;
    let filtered: string | undefined;
    try {
      filtered = filterJsonText(line.endsWith('\r') ? line.slice(0, -1) : line, selection, representation, removed);
    } catch (error) {
      // A line that is not JSON goes on as it came; the lines around it are still filtered.
      if (!(error instanceof UnfilterableJson)) throw error;
    }
    if (filtered !== undefined) {
      lines[index] = line.endsWith('\r') ? `${filtered}\r` : filtered;
      changed = true;
    }
  }
  return changed ? lines.join('\n') : undefined;
}

const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;

class TextFilter {
  #pos = 0;

  constructor(
    private readonly text: string,
    private readonly representation: FilteredRepresentation,
    private readonly removed: Set<string>,
  ) {}

  /** The value at the current position, rewritten, or undefined when it stays as it is; moves past it. */
  value(selection: Selection, path: string, depth: number): string | undefined {
    this.#space();
    const code = this.text.charCodeAt(this.#pos);
    if (selection.all || (code !== OPEN_OBJECT && code !== OPEN_ARRAY)) {
      this.#skipValue();
      return undefined;
    }
    if (depth > MAX_DEPTH) throw new UnfilterableJson(`nested deeper than ${MAX_DEPTH} levels`);
    return code === OPEN_OBJECT ? this.#object(selection, path, depth) : this.#array(selection, path, depth);
  }

  /** Only white space may follow the value. */
  end(): void {
    this.#space();
    if (this.#pos !== this.text.length) this.#fail('text after the JSON value');
  }

  #object(selection: Selection, path: string, depth: number): string | undefined {
    this.#pos++;
    const members: string[] = [];
    let changed = false;
    this.#space();
    if (this.text.charCodeAt(this.#pos) === CLOSE_OBJECT) {
      this.#pos++;
      return undefined;
    }
    for (;;) {
      this.#space();
      const keyStart = this.#pos;
      const key = this.#key();
      const keyEnd = this.#pos;
      this.#space();
      if (this.text.charCodeAt(this.#pos) !== COLON) this.#fail('":" expected');
      this.#pos++;
      const child = selection.children.get(key);
      const fieldPath = path === '' ? key : `${path}.${key}`;
      if (child === undefined) {
        this.#space();
        this.#skipValue();
        this.removed.add(fieldPath);
        changed = true;
        if (this.representation === 'null') members.push(`${this.text.slice(keyStart, keyEnd)}:null`);
      } else {
        const inner = this.value(child, fieldPath, depth + 1);
        if (inner === undefined) members.push(this.text.slice(keyStart, this.#pos));
        else {
          changed = true;
          members.push(`${this.text.slice(keyStart, keyEnd)}:${inner}`);
        }
      }
      this.#space();
      const next = this.text.charCodeAt(this.#pos++);
      if (next === COMMA) continue;
      if (next === CLOSE_OBJECT) break;
      this.#fail('"," or "}" expected');
    }
    return changed ? `{${members.join(',')}}` : undefined;
  }

  #array(selection: Selection, path: string, depth: number): string | undefined {
    this.#pos++;
    const items: string[] = [];
    let changed = false;
    this.#space();
    if (this.text.charCodeAt(this.#pos) === CLOSE_ARRAY) {
      this.#pos++;
      return undefined;
    }
    for (;;) {
      this.#space();
      const start = this.#pos;
      const inner = this.value(selection, path, depth + 1);
      if (inner === undefined) items.push(this.text.slice(start, this.#pos));
      else {
        changed = true;
        items.push(inner);
      }
      this.#space();
      const next = this.text.charCodeAt(this.#pos++);
      if (next === COMMA) continue;
      if (next === CLOSE_ARRAY) break;
      this.#fail('"," or "]" expected');
    }
    return changed ? `[${items.join(',')}]` : undefined;
  }

  #key(): string {
    if (this.text.charCodeAt(this.#pos) !== QUOTE) this.#fail('a field name expected');
    const start = this.#pos;
    this.#skipString();
    const raw = this.text.slice(start, this.#pos);
    if (!raw.includes('\\')) return raw.slice(1, -1);
    try {
      return JSON.parse(raw) as string;
    } catch {
      return this.#fail('a field name with a broken escape');
    }
  }

  /** Moves past a string. */
  #skipString(): void {
    const start = this.#pos + 1;
    let index = start;
    for (;;) {
      const quote = this.text.indexOf('"', index);
      if (quote === -1) this.#fail('unterminated string');
      let backslashes = 0;
      for (let back = quote - 1; back >= start && this.text.charCodeAt(back) === BACKSLASH; back--) backslashes++;
      index = quote + 1;
      if (backslashes % 2 === 0) break;
    }
    this.#pos = index;
  }

  /** Moves past any value, containers included, without recursion. */
  #skipValue(): void {
    let depth = 0;
    const text = this.text;
    do {
      this.#space();
      const code = text.charCodeAt(this.#pos);
      if (code === QUOTE) this.#skipString();
      else if (code === OPEN_OBJECT || code === OPEN_ARRAY) {
        depth++;
        this.#pos++;
      } else if (code === CLOSE_OBJECT || code === CLOSE_ARRAY) {
        if (depth === 0) this.#fail('a value expected');
        depth--;
        this.#pos++;
      } else if (code === COMMA || code === COLON) {
        if (depth === 0) this.#fail('a value expected');
        this.#pos++;
      } else {
        const start = this.#pos;
        while (this.#pos < text.length && !isDelimiter(text.charCodeAt(this.#pos))) this.#pos++;
        if (this.#pos === start) this.#fail('a value expected');
      }
    } while (depth > 0);
  }

  #space(): void {
    const text = this.text;
    let code = text.charCodeAt(this.#pos);
    while (code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09) code = text.charCodeAt(++this.#pos);
  }

  #fail(what: string): never {
    throw new UnfilterableJson(`not JSON at character ${this.#pos}: ${what}`);
  }
}

function isDelimiter(code: number): boolean {
  return code === COMMA || code === CLOSE_OBJECT || code === CLOSE_ARRAY || code === COLON || code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09 || code === QUOTE || code === OPEN_OBJECT || code === OPEN_ARRAY;
}
