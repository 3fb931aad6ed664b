import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import type forge from 'node-forge';
import { loadForge } from './forge.js';
import { UserError } from '../config/errors.js';
import type { ClientMaterial } from './material.js';

/** The client certificate the proxy presents, parsed: checked to be readable and to match its key. */
export interface ClientIdentity {
  readonly certificate: X509Certificate;
  /** The other certificates that came with it (intermediates), in file order. */
  readonly chain: readonly X509Certificate[];
  readonly privateKey: KeyObject;
}

const PASSPHRASE_SETTINGS = 'ONS_PROXY_PASSPHRASE or ONS_PROXY_PASSPHRASE_FILE';
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g;

function pemBlocks(text: string): Array<{ label: string; pem: string }> {
  return [...text.matchAll(PEM_BLOCK)].map((match) => ({ label: match[1] ?? '', pem: match[0] }));
}

/** Parses the certificate(s) and the key, and checks they belong together. Throws UserError. */
export function readClientIdentity(material: ClientMaterial): ClientIdentity {
  const source = material.identity;
  if (source.form === 'pkcs12') return readPkcs12Identity(source.pfx, source.pfxFile, material.passphrase);
  const certificates = readCertificates(source.cert, source.certFile);
  const privateKey = readPrivateKey(source.key, source.keyFile, material.passphrase);
  return pairWithKey(certificates, privateKey, `${source.certFile} and ${source.keyFile}`, 'point ONS_PROXY_KEY at the key you made the CSR with, or ONS_PROXY_CERT at the certificate Ons issued for it');
}

export function readCertificates(text: string, file: string): X509Certificate[] {
  const blocks = pemBlocks(text);
  const certificateBlocks = blocks.filter((block) => block.label === 'CERTIFICATE');
  if (certificateBlocks.length === 0) {
    const labels = new Set(blocks.map((block) => block.label));
    const fix = 'point ONS_PROXY_CERT at the signed certificate you downloaded from the Ons API Dashboard (PEM, -----BEGIN CERTIFICATE-----).';
    if (labels.has('CERTIFICATE REQUEST') || labels.has('NEW CERTIFICATE REQUEST')) {
      throw new UserError(`${file} (ONS_PROXY_CERT) is a certificate signing request, not a certificate: upload it in the Ons API Dashboard, then ${fix}`);
    }
    if ([...labels].some((label) => label.endsWith('PRIVATE KEY'))) {
      throw new UserError(`${file} (ONS_PROXY_CERT) holds a private key, not a certificate: ${fix}`);
    }
    throw new UserError(`${file} (ONS_PROXY_CERT) is not a certificate: ${fix}`);
  }
  return certificateBlocks.map((block, index) => {
    try {
      return new X509Certificate(block.pem);
    } catch (error) {
      throw new UserError(`${file} (ONS_PROXY_CERT): certificate ${index + 1} in the file is damaged (${(error as Error).message}): download it from the Ons API Dashboard again.`);
    }
  });
}

function isEncryptedPem(text: string): boolean {
  return text.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----') || /Proc-Type:\s*4,ENCRYPTED/.test(text);
}

export function readPrivateKey(text: string, file: string, passphrase: string | undefined): KeyObject {
  const labels = new Set(pemBlocks(text).map((block) => block.label));
  if (![...labels].some((label) => label.endsWith('PRIVATE KEY'))) {
    const what = labels.has('CERTIFICATE') ? 'holds a certificate, not a private key' : labels.has('PUBLIC KEY') ? 'holds a public key, not the private key' : 'is not a PEM private key (-----BEGIN PRIVATE KEY-----)';
    throw new UserError(`${file} (ONS_PROXY_KEY) ${what}: point ONS_PROXY_KEY at the private key you made the CSR with.`);
  }
  const encrypted = isEncryptedPem(text);
  if (encrypted && passphrase === undefined) {
    throw new UserError(`The private key ${file} is encrypted: set ${PASSPHRASE_SETTINGS} (the proxy never asks for it).`);
  }
  try {
    return createPrivateKey({ key: text, format: 'pem', ...(passphrase !== undefined ? { passphrase } : {}) });
  } catch (error) {
    if (encrypted) throw new UserError(`Wrong passphrase for the private key ${file}: check ${PASSPHRASE_SETTINGS}.`);
    throw new UserError(`${file} (ONS_PROXY_KEY) is not a usable private key (${(error as Error).message}): point ONS_PROXY_KEY at the private key you made the CSR with.`);
  }
}

/** The certificate that belongs to the key comes first, whatever order the file used. */
export function pairWithKey(certificates: readonly X509Certificate[], privateKey: KeyObject, where: string, fix: string): ClientIdentity {
  const certificate = certificates.find((candidate) => candidate.checkPrivateKey(privateKey));
  if (!certificate) throw new UserError(`The private key does not belong to the certificate (${where}): ${fix}.`);
  return { certificate, chain: certificates.filter((candidate) => candidate !== certificate), privateKey };
}

function readPkcs12Identity(pfx: Buffer, file: string, passphrase: string | undefined): ClientIdentity {
  const nodeForge = loadForge();
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    const der = nodeForge.asn1.fromDer(nodeForge.util.createBuffer(pfx.toString('binary')));
    p12 = nodeForge.pkcs12.pkcs12FromAsn1(der, passphrase ?? '');
  } catch (error) {
    const message = (error as Error).message;
    if (/Invalid password|wrong password|MAC could not be verified/i.test(message)) {
      throw new UserError(passphrase === undefined
        ? `The PKCS#12 file ${file} is protected by a password: set ${PASSPHRASE_SETTINGS}.`
        : `Wrong passphrase for the PKCS#12 file ${file}: check ${PASSPHRASE_SETTINGS}.`);
    }
    throw new UserError(`${file} (ONS_PROXY_PFX) is not a readable PKCS#12 (.p12/.pfx) file (${message}): export it again, e.g. openssl pkcs12 -export -in cert.pem -inkey key.pem -out client.p12.`);
  }
  const certificates = bagsOf(p12, nodeForge.pki.oids.certBag).map((bag) => {
    const asn1 = bag.cert ? nodeForge.pki.certificateToAsn1(bag.cert) : bag.asn1;
    return new X509Certificate(Buffer.from(nodeForge.asn1.toDer(asn1).getBytes(), 'binary'));
  });
  const keyBags = [...bagsOf(p12, nodeForge.pki.oids.pkcs8ShroudedKeyBag), ...bagsOf(p12, nodeForge.pki.oids.keyBag)];
  const keyBag = keyBags[0];
  if (certificates.length === 0 || !keyBag) {
    throw new UserError(`The PKCS#12 file ${file} must hold both the certificate and its private key (it has ${certificates.length} certificate(s) and ${keyBags.length} key(s)): export it again with -inkey.`);
  }
  const keyInfo = keyBag.key ? nodeForge.pki.wrapRsaPrivateKey(nodeForge.pki.privateKeyToAsn1(keyBag.key)) : keyBag.asn1;
  const privateKey = createPrivateKey({ key: Buffer.from(nodeForge.asn1.toDer(keyInfo).getBytes(), 'binary'), format: 'der', type: 'pkcs8' });
  return pairWithKey(certificates, privateKey, file, 'export the PKCS#12 file again from the certificate Ons issued and the key you made the CSR with');
}

function bagsOf(p12: forge.pkcs12.Pkcs12Pfx, bagType: string | undefined): forge.pkcs12.Bag[] {
  if (bagType === undefined) return [];
  return p12.getBags({ bagType })[bagType] ?? [];
}
