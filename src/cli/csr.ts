import path from 'node:path';
import { assertCsrFilesAbsent, createCertificateSigningRequest, csrFilePaths, validateCsrFields, writeCsrFiles, DEFAULT_CUSTOMER_CODE, type CsrSubject } from '../setup/index.js';
import { stringFlag } from './args.js';
import type { Command } from './command.js';
import { print } from './output.js';

const FIELD_FLAGS = ['name', 'customer', 'id', 'org', 'unit', 'city', 'state', 'country', 'email'] as const;

export const csrCommand: Command = {
  name: 'csr',
  summary: 'Make a new RSA 4096 private key and a CSR that meets Ons\'s rules, to upload in the Ons API Dashboard.',
  usage: 'ons-proxy csr --name <technical name> --id <identification> --org <o> --unit <ou> --city <l> --state <st> --country <cc> --email <address> [--customer <code>] [--out <dir>]',
  readsSettings: false,
  options: {
    ...Object.fromEntries(FIELD_FLAGS.map((flag) => [flag, { type: 'string' } as const])),
    out: { type: 'string' },
  },
  optionHelp: [
    ['--name <technical name>', 'the connection\'s technical name: lowercase letters, digits, _ (e.g. hr_integration)'],
    ['--customer <code>', `customer code: ${DEFAULT_CUSTOMER_CODE} (development, the default), TE + 4 digits (staging), CF/DF/MF... (production)`],
    ['--id <identification>', 'free identification: letters, digits, _ (e.g. free_text); CN = name-customer-id'],
    ['--org <organisation>', 'O: the organisation'],
    ['--unit <unit>', 'OU: the department'],
    ['--city <city>', 'L: the city'],
    ['--state <province>', 'ST: the province'],
    ['--country <code>', 'C: 2-letter country code, e.g. NL'],
    ['--email <address>', 'emailAddress: who to contact about this certificate'],
    ['--out <dir>', 'folder for <CN>.key and <CN>.csr (default: the current folder); existing files are never overwritten'],
  ],
  async run(parsed) {
    const subject = validateCsrFields(Object.fromEntries(FIELD_FLAGS.map((flag) => [flag, stringFlag(parsed, flag)])));
    const directory = path.resolve(stringFlag(parsed, 'out') ?? '.');
    // Before the key is generated (seconds of work): refuse at once if a file is in the way.
    await assertCsrFilesAbsent(csrFilePaths(directory, subject.commonName));
    const written = await writeCsrFiles(directory, await createCertificateSigningRequest(subject));
    print(nextSteps(subject, written.keyPath, written.csrPath));
    return 0;
  },
};

function nextSteps(subject: CsrSubject, keyPath: string, csrPath: string): string {
  const shown = `CN=${subject.commonName}, OU=${subject.organizationalUnit}, O=${subject.organization}, L=${subject.locality}, ST=${subject.state}, C=${subject.country}, emailAddress=${subject.email}`;
  return `Private key: ${keyPath}  (RSA 4096, mode 0600: keep it on this machine, never upload or share it)
CSR:         ${csrPath}
Subject:     ${shown}

Next:
  1. In the Ons API Dashboard, open the connection and upload ${path.basename(csrPath)} as its certificate signing request.
  2. Download the signed certificate (PEM) once Ons has issued it.
  3. Point the proxy at both files, e.g. in .env:
       ONS_PROXY_CERT=<the downloaded certificate>.pem
       ONS_PROXY_KEY=${keyPath}
     A running proxy picks up replaced files by itself; no restart needed.
  4. Run: ons-proxy check
`;
}
