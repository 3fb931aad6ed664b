// `webhooks verify`: which signature encoding a delivery captured from the real Ons uses.
// Ons does not publish it; one real delivery and the secret settle it.
import { print } from './output.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../config/errors.js';
import { checkSignature, recordedBodyBytes, SIGNATURE_HEADER, type SignatureEncoding } from '../webhooks/index.js';
import { stringFlag } from './args.js';
import { recordSelection, selectedRecords } from './record-selection.js';
import { requiredSecret, type WebhooksSubcommand } from './webhooks.js';

export const webhooksVerify: WebhooksSubcommand = async (parsed, args) => {
  const secret = requiredSecret(parsed, 'verify');
  const captured = args[0] === undefined ? rawDelivery(stringFlag(parsed, 'body'), stringFlag(parsed, 'signature')) : await recordedDelivery(parsed, args[0]);
  const check = checkSignature(captured.body, captured.signature, secret.value);
  if (check.result === 'missing') throw new UserError(`${captured.name} has no X-Signature-SHA512 value: it was not signed, or the header was lost on the way.`, 1);
  if (check.result === 'valid') {
    const encoding = check.encoding as SignatureEncoding;
    const caseNote = check.upperCaseHex ? ' (in capitals; receivers should compare case-insensitively)' : '';
    print(`${captured.name}: the signature matches the HMAC-SHA512 of the body's ${captured.body.length} bytes in ${encoding}${caseNote}.\nUse --signature-encoding ${encoding} (the default is hex).\n`);
    return 0;
  }
  const shape = /^[0-9a-fA-F]{128}$/.test(captured.signature ?? '') ? 'looks like hex' : /^[A-Za-z0-9+/]{86}==$/.test(captured.signature ?? '') ? 'looks like base64' : 'is neither 128 hex digits nor 88 base64 characters';
  print(
    `${captured.name}: the signature matches in neither hex nor base64 (it ${shape}). Either the secret is not this connector's (${secret.source}), or the body changed on the way (re-serialised JSON, a changed encoding), or Ons signs something other than the raw body.\n`,
  );
  return 1;
};

interface CapturedDelivery {
  readonly name: string;
  readonly body: Buffer;
  readonly signature: string | undefined;
}

function rawDelivery(bodyFile: string | undefined, signature: string | undefined): CapturedDelivery {
  if (bodyFile === undefined || signature === undefined) {
    throw new UserError('Name the delivery: a record id ("ons-proxy logs --webhooks" lists them), or --body <file with the raw body> --signature <X-Signature-SHA512 value>.');
  }
  let body: Buffer;
  try {
    body = readFileSync(path.resolve(bodyFile));
  } catch (error) {
    throw new UserError(`Cannot read --body ${bodyFile}: ${(error as Error).message}.`);
  }
  return { name: bodyFile, body, signature: signature.replace(/^x-signature-sha512:\s*/i, '') };
}

async function recordedDelivery(parsed: Parameters<WebhooksSubcommand>[0], id: string): Promise<CapturedDelivery> {
  const selection = recordSelection(parsed);
  for await (const record of selectedRecords(selection)) {
    if (record.id !== id && !(id.length >= 8 && record.id.startsWith(id))) continue;
    const body = recordedBodyBytes(record.request);
    if (body === undefined) throw new UserError(`Record ${record.id} does not hold the exact body (cut at ONS_PROXY_LOG_BODY_LIMIT, or recorded without bodies): capture it again with "webhooks listen".`);
    const header = record.request.headers[SIGNATURE_HEADER];
    return { name: `record ${record.id}`, body, signature: Array.isArray(header) ? header[0] : header };
  }
  throw new UserError(`No recorded delivery with id "${id}" in ${selection.logDirs.join(', ')}: "ons-proxy logs --webhooks" lists them.`, 1);
}
