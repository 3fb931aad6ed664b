// Ons's 2025 migration facts the OpenAPI document does not carry (dates, parameter
// changes), kept as data in config/ons-migration.json.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

export const MIGRATION_FILE = fileURLToPath(new URL('../../config/ons-migration.json', import.meta.url));

export interface MigrationFacts {
  readonly deprecatedOn: string;
  readonly removedOn: string;
  /** Paths under this prefix that no operation matches were removed. */
  readonly removedPrefix: string;
  /** "employee: renamed from employee_id", for an old path and the new one that replaced it. */
  parameterChanges(method: string, oldPath: string): readonly string[];
}

interface MigrationFile {
  deprecatedOn: string;
  removedOn: string;
  removedPrefix: string;
  parameterChanges: Array<{ method: string; oldPath: string; newPath: string; changes: Array<[string, string]> }>;
}

let cached: MigrationFacts | undefined;

export function loadMigrationFacts(): MigrationFacts {
  if (cached) return cached;
  const raw = JSON.parse(fs.readFileSync(MIGRATION_FILE, 'utf8')) as MigrationFile;
  const changes = new Map<string, string[]>();
  for (const entry of raw.parameterChanges) {
    changes.set(`${entry.method.toUpperCase()} ${entry.oldPath}`, entry.changes.map(([name, change]) => `${name}: ${change}`));
  }
  cached = {
    deprecatedOn: raw.deprecatedOn,
    removedOn: raw.removedOn,
    removedPrefix: raw.removedPrefix,
    parameterChanges: (method, oldPath) => changes.get(`${method.toUpperCase()} ${oldPath}`) ?? [],
  };
  return cached;
}
