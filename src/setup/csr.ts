import { createPrivateKey, generateKeyPair } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { UserError } from '../config/errors.js';
import { loadEnvironmentPresets } from '../config/presets.js';
import { IDENTIFICATION_PATTERN, ONS_MINIMUM_KEY_BITS, TECHNICAL_NAME_PATTERN, environmentsOfCustomerCode, loadForge, subjectField } from '../tls/index.js';

/** What Ons requires in a CSR: every subject field filled, the CN in its pattern. */
export interface CsrSubject {
  readonly commonName: string;
  readonly organizationalUnit: string;
  readonly organization: string;
  readonly locality: string;
  readonly state: string;
  readonly country: string;
  readonly email: string;
}

/** The flags of `ons-proxy csr`, as typed. */
export interface CsrFields {
  readonly name?: string | undefined;
  readonly customer?: string | undefined;
  readonly id?: string | undefined;
  readonly org?: string | undefined;
  readonly unit?: string | undefined;
  readonly city?: string | undefined;
  readonly state?: string | undefined;
  readonly country?: string | undefined;
  readonly email?: string | undefined;
}

export const DEFAULT_CUSTOMER_CODE = 'TE1002';
// Upper bounds from X.520 / RFC 5280: longer values make a CSR that CAs refuse.
const MAX_COMMON_NAME = 64;
const EMAIL_PATTERN = /^[\x21-\x3f\x41-\x7e]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what must not appear
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

function textField(flag: string, value: string | undefined, max: number, example: string, problems: string[]): string {
  const text = value?.trim() ?? '';
  if (text === '') problems.push(`--${flag} is required (e.g. --${flag} "${example}")`);
  else if (text.length > max) problems.push(`--${flag} is ${text.length} characters; at most ${max} fit in a certificate`);
  else if (CONTROL_CHARACTERS.test(text)) problems.push(`--${flag} contains control characters`);
  return text;
}

/** Checks every field against Ons's rules; all problems go into one line. */
export function validateCsrFields(fields: CsrFields): CsrSubject {
  const problems: string[] = [];
  const name = fields.name?.trim() ?? '';
  if (!TECHNICAL_NAME_PATTERN.test(name)) problems.push(`--name must be the connection's technical name in lowercase letters, digits and _ (e.g. hr_integration)${name ? `, not "${name}"` : ''}`);
  const customer = fields.customer?.trim() || DEFAULT_CUSTOMER_CODE;
  const presets = loadEnvironmentPresets();
  if (environmentsOfCustomerCode(customer, presets).length === 0) {
    const accepted = Object.values(presets).map((preset) => `${preset.customerCodeHint} for ${preset.environment}`).join('; ');
    problems.push(`--customer "${customer}" is not an Ons customer code (${accepted})`);
  }
  const id = fields.id?.trim() ?? '';
  if (!IDENTIFICATION_PATTERN.test(id)) problems.push(`--id must be letters, digits and _ (e.g. free_text or production)${id ? `, not "${id}"` : ''}`);
  const commonName = `${name}-${customer}-${id}`;
  if (problems.length === 0 && commonName.length > MAX_COMMON_NAME) problems.push(`the CN ${commonName} is ${commonName.length} characters; at most ${MAX_COMMON_NAME}: shorten --name or --id`);

  const organization = textField('org', fields.org, 64, 'Zorggroep Voorbeeld', problems);
  const organizationalUnit = textField('unit', fields.unit, 64, 'ICT', problems);
  const locality = textField('city', fields.city, 128, 'Groningen', problems);
  const state = textField('state', fields.state, 128, 'Groningen', problems);
  const country = fields.country?.trim() ?? '';
  if (!/^[A-Za-z]{2}$/.test(country)) problems.push(`--country must be a 2-letter country code (e.g. NL)${country ? `, not "${country}"` : ''}`);
  const email = fields.email?.trim() ?? '';
  if (!EMAIL_PATTERN.test(email)) problems.push(`--email must be an e-mail address (e.g. dev@example.nl)${email ? `, not "${email}"` : ''}`);

  if (problems.length > 0) throw new UserError(`Cannot make the CSR: ${problems.join('; ')}. Run "ons-proxy csr --help" for the rules.`);
  return { commonName, organizationalUnit, organization, locality, state, country: country.toUpperCase(), email };
}

export interface CertificateSigningRequest {
  readonly subject: CsrSubject;
  /** Unencrypted PKCS#8 PEM: write it with mode 0600 and never log it. */
  readonly keyPem: string;
  readonly csrPem: string;
}

const generateKeyPairAsync = promisify(generateKeyPair);

/** A new RSA 4096 key and a CSR for it, signed with SHA-256. */
export async function createCertificateSigningRequest(subject: CsrSubject): Promise<CertificateSigningRequest> {
  const { privateKey, publicKey } = await generateKeyPairAsync('rsa', {
    modulusLength: ONS_MINIMUM_KEY_BITS,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const nodeForge = loadForge();
  const csr = nodeForge.pki.createCertificationRequest();
  csr.publicKey = nodeForge.pki.publicKeyFromPem(publicKey);
  const utf8 = nodeForge.asn1.Type.UTF8;
  csr.setSubject([
    subjectField('commonName', subject.commonName, utf8),
    subjectField('organizationalUnitName', subject.organizationalUnit, utf8),
    subjectField('organizationName', subject.organization, utf8),
    subjectField('localityName', subject.locality, utf8),
    subjectField('stateOrProvinceName', subject.state, utf8),
    subjectField('countryName', subject.country, nodeForge.asn1.Type.PRINTABLESTRING),
    subjectField('emailAddress', subject.email, nodeForge.asn1.Type.IA5STRING),
  ]);
  // forge reads PKCS#1 private keys from PEM.
  const signingKey = nodeForge.pki.privateKeyFromPem(createPrivateKey(privateKey).export({ type: 'pkcs1', format: 'pem' }).toString());
  csr.sign(signingKey, nodeForge.md.sha256.create());
  return { subject, keyPem: privateKey, csrPem: nodeForge.pki.certificationRequestToPem(csr) };
}

export interface WrittenCsr {
  readonly keyPath: string;
  readonly csrPath: string;
}

/** The file names follow the CN; an existing file is never overwritten. */
export function csrFilePaths(directory: string, commonName: string): WrittenCsr {
  return { keyPath: path.join(directory, `${commonName}.key`), csrPath: path.join(directory, `${commonName}.csr`) };
}

export async function assertCsrFilesAbsent(paths: WrittenCsr): Promise<void> {
  for (const file of [paths.keyPath, paths.csrPath]) {
    const exists = await fs.stat(file).then(() => true, () => false);
    if (exists) throw new UserError(`${file} already exists and is never overwritten: move it away, or pick another folder with --out or another --id.`);
  }
}

export async function writeCsrFiles(directory: string, request: CertificateSigningRequest): Promise<WrittenCsr> {
  const paths = csrFilePaths(directory, request.subject.commonName);
  await assertCsrFilesAbsent(paths);
  await fs.mkdir(directory, { recursive: true });
  // "wx" fails if the file appeared meanwhile; the mode applies at creation, chmod undoes the umask.
  await fs.writeFile(paths.keyPath, request.keyPem, { flag: 'wx', mode: 0o600 });
  await fs.chmod(paths.keyPath, 0o600);
  try {
    await fs.writeFile(paths.csrPath, request.csrPem, { flag: 'wx', mode: 0o644 });
  } catch (error) {
    await fs.rm(paths.keyPath, { force: true });
    throw new UserError(`Cannot write ${paths.csrPath}: ${(error as Error).message}.`);
  }
  return paths;
}
