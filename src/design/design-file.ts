// Reading a Technical Design file (JSON or YAML): its text, its shape against the JSON Schema
// in config/, and where in the file each part is, so every message names the line.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import { UserError } from '../config/errors.js';

export const DESIGN_SCHEMA_FILE = fileURLToPath(new URL('../../config/technical-design.schema.json', import.meta.url));

export interface DesignEndpoint {
  /** "GET /v0/administration/clients/{id}" or an operationId. */
  operation: string;
  reason?: string;
  /** The answer's model where the API document names none. */
  model?: string;
}

export interface DesignUseCase {
  title: string;
  /** The x-ons-usecase label of its calls, so a redraft finds a renamed use case. */
  label?: string;
  description?: string;
  endpoints: DesignEndpoint[];
}

/** The file as written: what the Dashboard asks for. */
export interface TechnicalDesign {
  $schema?: string;
  connection?: string;
  useCases: DesignUseCase[];
  models?: Record<string, string[]>;
  /** What drafts have seen in the records: a redraft adds only what is not here. */
  drafted?: { operations?: string[]; fields?: Record<string, string[]> };
}

/** A design file that cannot be used: one message naming the file, the line or path, what is wrong and how to fix it. */
export class DesignFileError extends UserError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'DesignFileError';
  }
}

/** Where the parts of a design file are: a JSON path to "line N" of the file. */
export class DesignLocations {
  constructor(
    readonly file: string,
    private readonly document: Document | undefined,
    private readonly lines: LineCounter,
  ) {}

  /** `path` is a list of keys and indexes, e.g. ['useCases', 0, 'endpoints', 1, 'operation']. */
  describe(path: ReadonlyArray<string | number>): string {
    const shown = jsonPath(path);
    const node = this.document?.getIn(path, true);
    if (!isNode(node) || !node.range) return `${this.file} at ${shown}`;
    const { line } = this.lines.linePos(node.range[0]);
    return `${this.file}, line ${line} (${shown})`;
  }
}

export function jsonPath(path: ReadonlyArray<string | number>): string {
  let text = '';
  for (const part of path) text += typeof part === 'number' ? `[${part}]` : /^[A-Za-z_$][\w$]*$/.test(part) ? `.${part}` : `[${JSON.stringify(part)}]`;
  return text === '' ? 'the top level' : text.slice(text.startsWith('.') ? 1 : 0);
}

export interface ReadDesign {
  readonly design: TechnicalDesign;
  readonly locations: DesignLocations;
}

let validateShape: ReturnType<Ajv['compile']> | undefined;

/** Reads, parses and checks the shape of a design file; throws DesignFileError saying what is wrong. */
export function readDesignFile(file: string): ReadDesign {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'the file does not exist (ons-proxy design draft writes one from your recorded traffic)' : code === 'EISDIR' ? 'it is a folder, not a file' : (error as Error).message;
    throw new DesignFileError(`Technical Design ${file}: ${reason}.`);
  }
  return parseDesignText(text, file);
}

export function parseDesignText(text: string, file: string): ReadDesign {
  const lines = new LineCounter();
  const parsed = parseDocument(text.replace(/^\uFEFF/, ''), { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const looksLikeJson = /^\s*[{[]/.test(text) || file.toLowerCase().endsWith('.json');
  let raw: unknown;
  if (looksLikeJson) {
    try {
      raw = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch (error) {
      throw new DesignFileError(`Technical Design ${file}${jsonErrorLine(text, error as Error)}: it is not valid JSON (${(error as Error).message}). Fix the syntax, or write the file as YAML.`);
    }
  } else {
    const [first] = parsed.errors;
    if (first) {
      const where = first.linePos?.[0] ? `, line ${first.linePos[0].line}` : '';
      throw new DesignFileError(`Technical Design ${file}${where}: it is neither valid JSON nor valid YAML (${first.message.split('\n')[0] ?? first.code}).`);
    }
    raw = parsed.toJS();
  }
  const locations = new DesignLocations(file, parsed.errors.length === 0 ? parsed : undefined, lines);
  validateShape ??= new Ajv({ allErrors: true, strict: false, verbose: true }).compile(JSON.parse(fs.readFileSync(DESIGN_SCHEMA_FILE, 'utf8')) as object);
  if (!validateShape(raw)) throw new DesignFileError(shapeMessage(validateShape.errors ?? [], locations));
  return { design: raw as TechnicalDesign, locations };
}

/** ", line 3" for a JSON.parse error that gives a position. */
function jsonErrorLine(text: string, error: Error): string {
  const position = /position (\d+)/.exec(error.message)?.[1];
  if (position === undefined) return '';
  return `, line ${text.slice(0, Number(position)).split('\n').length}`;
}

/** The first shape error, in words a developer can act on. */
function shapeMessage(errors: readonly ErrorObject[], locations: DesignLocations): string {
  // The deepest error says most; "must match a schema in anyOf" and the like say least.
  const error = [...errors].sort((a, b) => b.instancePath.length - a.instancePath.length)[0];
  if (!error) return `Technical Design ${locations.file}: it does not fit the schema ${DESIGN_SCHEMA_FILE}.`;
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  const where = locations.describe(path);
  const params = error.params as Record<string, unknown>;
  const fix = `The shape is described in ${DESIGN_SCHEMA_FILE} and the README ("Technical Design").`;
  switch (error.keyword) {
    case 'required':
      return `Technical Design ${where}: "${String(params.missingProperty)}" is missing. ${fix}`;
    case 'additionalProperties':
      return `Technical Design ${where}: "${String(params.additionalProperty)}" is not a field of ${path.length === 0 ? 'a design' : 'this part'} (allowed: ${allowedFields(path).join(', ')}). ${fix}`;
    case 'minItems':
      return path.length === 1 && path[0] === 'useCases'
        ? `Technical Design ${where}: there are no use cases; a design without use cases would block every call. Add at least one use case with its endpoints (ons-proxy design draft writes them from your traffic).`
        : `Technical Design ${where}: the list is empty; ${String(path[path.length - 1]) === 'endpoints' ? 'give the use case at least one endpoint, or remove the use case' : 'give it at least one entry'}.`;
    case 'pattern':
      return `Technical Design ${where}: "${String(error.data)}" is not a field path; write dot paths such as address.city.`;
    case 'uniqueItems':
      return `Technical Design ${where}: a field is listed twice (items ${String(params.j)} and ${String(params.i)}); list each once.`;
    default:
      return `Technical Design ${where}: ${error.message ?? 'does not fit the schema'}. ${fix}`;
  }
}

function allowedFields(path: ReadonlyArray<string | number>): string[] {
  if (path.length === 0) return ['$schema', 'connection', 'useCases', 'models', 'drafted'];
  if (path[0] === 'drafted') return ['operations', 'fields'];
  if (path.length === 2) return ['title', 'label', 'description', 'endpoints'];
  return ['operation', 'reason', 'model'];
}

