import fs from 'node:fs';
import { ConfigError } from './errors.js';

/** The first line of a file that holds a secret; `setting` names where the path came from. */
export function readSecretFile(file: string, setting: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'the file does not exist' : (error as Error).message;
    throw new ConfigError(`${setting}: cannot read ${file}: ${reason}.`);
  }
  const secret = (text.split(/\r?\n/, 1)[0] ?? '').trim();
  if (secret === '') throw new ConfigError(`${setting}: the first line of ${file} is empty; put the secret on it.`);
  return secret;
}
