// trigger and handshake over real sockets, verified by receivers written in Python and Node
// (test/webhooks/receivers/) that share no code with the proxy.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { allRecords } from '../support/records.js';
import { startReceiver, workspace, type Receiver } from './helpers.js';

const space = workspace();
const receivers: Receiver[] = [];
async function receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
  const started = await startReceiver(...args);
  receivers.push(started);
  return started;
}
afterAll(async () => {
  await Promise.all(receivers.map((started) => started.stop()));
});

const cli = (args: string[], env: Record<string, string> = space.env): ReturnType<typeof runCli> => runCli(['webhooks', ...args], { cwd: space.dir, env });

describe.each([
  ['python', 'hex'],
  ['python', 'base64'],
  ['node', 'hex'],
  ['node', 'base64'],
] as const)('trigger to a %s receiver checking %s signatures', (language, encoding) => {
  let target: Receiver;
  beforeAll(async () => {
    target = await receiver(language, space.secretFile, encoding);
  });

  it('is answered 200, and the receiver saw the body the record holds', async () => {
    const result = await cli(['trigger', 'client.UPDATE', '--id', '4711', '--to', target.url, '--signature-encoding', encoding]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^client\.UPDATE 4711 -> 200 in [\d.]+ ms: what Ons expects \(200\) \(answer: "ok"\)\n$/);
    expect(result.code).toBe(0);
    const [arrived] = (await target.received()).slice(-1);
    expect(arrived?.valid).toBe(true);
    const event = JSON.parse(Buffer.from(arrived?.body ?? '', 'base64').toString('utf8')) as Record<string, unknown>;
    expect(event).toMatchObject({ customerCode: 'TE1002', modelType: 'client', eventType: 'UPDATE', id: 4711, amountOfRetries: 0 });
    const sent = (await allRecords(space.logDir)).filter((record) => record.webhook?.direction === 'sent' && record.upstreamUrl === target.url);
    expect(sent.at(-1)?.request.body).toBe(Buffer.from(arrived?.body ?? '', 'base64').toString('utf8'));
    expect(sent.at(-1)?.webhook).toMatchObject({ event: 'client.UPDATE', id: '4711', signature: 'valid', encoding });
  });

  it('is answered 401 when signed in the other encoding: the answer says Ons counts it as failed', async () => {
    const other = encoding === 'hex' ? 'base64' : 'hex';
    const result = await cli(['trigger', 'care_plan_activated', '--payload', 'clientId=12', '--to', target.url, '--signature-encoding', other]);
    expect(result.stdout).toMatch(/^care_plan_activated\.CUSTOM 12 -> 401 in [\d.]+ ms: Ons counts the event as failed \(only 200 is delivered\) \(answer: "invalid signature"\)\n$/);
    expect(result.code).toBe(1);
  });

  it('passes the handshake: 200 for the valid NOP, 401 for the badly signed one', async () => {
    const result = await cli(['handshake', '--to', target.url, '--signature-encoding', encoding]);
    expect(result.stdout).toContain('Handshake passed');
    expect(result.code).toBe(0);
    const nops = (await target.received()).slice(-2);
    expect(nops.map((nop) => nop.valid)).toEqual([true, false]);
    expect(JSON.parse(Buffer.from(nops[0]?.body ?? '', 'base64').toString('utf8'))).toMatchObject({ eventType: 'NOP' });
  });
});

describe('handshake against broken receivers', () => {
  it('fails against one that answers 200 to everything, and says what that means', async () => {
    const broken = await receiver('python', space.secretFile, 'hex', 'accept-all');
    const result = await cli(['handshake', '--to', broken.url]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('NOP, badly signed -> 200');
    expect(result.stdout).toContain('the badly signed NOP got 200: the receiver does not check the signature');
  });

  it('fails against one with another secret, and names the secret, the encoding and the raw bytes as causes', async () => {
    const other = workspace('not-the-same-secret');
    const strict = await receiver('node', other.secretFile, 'hex');
    const result = await cli(['handshake', '--to', strict.url]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/the correctly signed NOP got 401: the receiver rejects a valid signature\. Check that it has the same secret, reads the signature as hex \(try --signature-encoding base64\), and computes the HMAC over the raw body bytes/);
  });
});

describe('trigger in bulk and out of order', () => {
  it('sends a CREATE and an UPDATE in the order the seed gives, the same on every run, with a summary', async () => {
    const target = await receiver('node', space.secretFile, 'hex');
    const args = ['trigger', 'client.CREATE', 'client.UPDATE', '--id', '7', '--count', '3', '--shuffle', '--seed', '42', '--duplicate', '--to', target.url];
    const first = await cli(args);
    const second = await cli(args);
    expect(first.code).toBe(0);
    const order = (output: string): string[] => [...output.matchAll(/^(client\.\w+) 7 ->/gm)].map((match) => match[1] ?? '');
    expect(order(first.stdout)).toHaveLength(12);
    expect(order(first.stdout)).toEqual(order(second.stdout));
    expect(order(first.stdout)).not.toEqual([...Array(6).keys()].flatMap(() => ['client.CREATE', 'client.UPDATE']));
    expect(first.stdout).toContain('12 deliveries: 12 x 200; 12 of them delivered as Ons counts it (200 within 3 s)');
  });

  it('counts timeouts in the summary when the receiver takes 4 s', async () => {
    const slow = await receiver('python', space.secretFile, 'hex', 'sleep');
    const result = await cli(['trigger', 'client.DELETE', '--id', '9', '--count', '2', '--rate', '20/s', '--to', slow.url], undefined);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('client.DELETE 9 -> no answer within 3 s: Ons gives up after 3 s and counts the event as failed');
    expect(result.stdout).toContain('2 deliveries: 2 timeouts (no answer within 3 s); 0 of them delivered');
    const timedOut = (await allRecords(space.logDir)).filter((record) => record.error?.code === 'webhook_timeout');
    expect(timedOut.length).toBeGreaterThanOrEqual(2);
    expect(timedOut[0]?.status).toBe(0);
  });
});

describe('bad input', () => {
  it('says in one line that the receiver is unreachable (exit 1)', async () => {
    const result = await cli(['trigger', 'client.UPDATE', '--id', '1', '--to', 'http://127.0.0.1:9/events']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('ons-proxy: http://127.0.0.1:9/events is unreachable (ECONNREFUSED): start the receiver, or check --to.\n');
  });

  it('stops the handshake at the first delivery when the receiver is unreachable', async () => {
    const result = await cli(['handshake', '--to', 'http://127.0.0.1:9/events']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('ons-proxy: http://127.0.0.1:9/events is unreachable (ECONNREFUSED): start the receiver, or check --to.\n');
  });

  it('needs a secret, refuses an empty secret file, and warns about one on the command line without echoing it', async () => {
    const none = await cli(['trigger', 'client.UPDATE', '--id', '1', '--to', 'http://127.0.0.1:9/events'], { ONS_PROXY_LOG_DIR: space.logDir });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/none is configured: put it on the first line of a file and name that file with --secret-file <file> or ONS_PROXY_WEBHOOK_SECRET_FILE/);
    const emptyFile = `${space.dir}/empty-secret`;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(emptyFile, '\n');
    const empty = await cli(['trigger', 'client.UPDATE', '--id', '1', '--to', 'http://127.0.0.1:9/events', '--secret-file', emptyFile]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('the first line of');
    const missing = await cli(['handshake', '--to', 'http://127.0.0.1:9/events'], { ONS_PROXY_LOG_DIR: space.logDir, ONS_PROXY_WEBHOOK_SECRET_FILE: `${space.dir}/nope` });
    expect(missing.stderr).toContain('the file does not exist');
    const flagged = await cli(['trigger', 'client.UPDATE', '--id', '1', '--to', 'http://127.0.0.1:9/events', '--secret', 'visible-Secret-123'], { ONS_PROXY_LOG_DIR: space.logDir });
    expect(flagged.stderr).toContain('--secret on the command line can be read by every user of this machine (ps)');
    expect(flagged.stderr).not.toContain('visible-Secret-123');
    expect(readFileSync(space.secretFile, 'utf8')).toContain(space.secret);
  });

  it('names the nearest events for a typo, and asks for the id of a CRUD event', async () => {
    const typo = await cli(['trigger', 'employe.UPDATE', '--id', '1', '--to', 'http://127.0.0.1:9/']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('nearest: employee');
    const noId = await cli(['trigger', 'employee.UPDATE', '--to', 'http://127.0.0.1:9/']);
    expect(noId.stderr).toContain('add --id <number>');
  });
});

describe('secrets are never recorded', () => {
  it('leaves the secret out of every record file', async () => {
    const records = JSON.stringify(await allRecords(space.logDir));
    expect(records.length).toBeGreaterThan(100);
    expect(records).not.toContain(space.secret);
    expect(records).not.toContain('visible-Secret-123');
  });
});
