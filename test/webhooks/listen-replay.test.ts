// listen in front of a receiver (the app), fed deliveries signed with the secret and with a
// wrong one; the records it writes; then replay of those records, byte for byte and shuffled.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrafficRecord } from '../../src/traffic/index.js';
import { runCli, spawnProxy, type SpawnedProxy } from '../support/cli.js';
import { allRecords, assertValidRecord } from '../support/records.js';
import { DATA, golden, hmac, startReceiver, workspace, type Receiver } from './helpers.js';

const space = workspace();
const cli = (args: string[], env: Record<string, string> = space.env): ReturnType<typeof runCli> => runCli(['webhooks', ...args], { cwd: space.dir, env });
const started: Array<{ stop(): Promise<unknown> }> = [];
afterAll(async () => {
  await Promise.all(started.map((item) => item.stop()));
});
async function receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
  const running = await startReceiver(...args);
  started.push(running);
  return running;
}
async function listen(forwardTo: string, env = space.env): Promise<SpawnedProxy> {
  const running = await spawnProxy(['webhooks', 'listen', '--port', '0', '--forward-to', forwardTo], { env, cwd: space.dir });
  started.push(running);
  return running;
}

/** Four events with their own ids, written with Ons's spacing and some non-ASCII text. */
const bodies = [4711, 4712, 4713, 4714].map((id) => Buffer.from(`{"customerCode":"TE1002", "modelType":"client","eventType":"UPDATE","id":${id},"timestamp":"2024-08-22T10:08:11+02:00","amountOfRetries":0,"note":"é ✓"}`));
const post = (url: string, body: Buffer, signature: string | undefined, type = 'application/json'): Promise<Response> =>
  fetch(url, { method: 'POST', body, headers: { 'content-type': type, ...(signature === undefined ? {} : { 'x-signature-sha512': signature }) } });

describe('webhooks listen', () => {
  let app: Receiver;
  let listener: SpawnedProxy;
  let records: TrafficRecord[];

  beforeAll(async () => {
    app = await receiver('python', space.secretFile, 'hex');
    listener = await listen(app.url);
    for (const body of bodies) expect((await post(listener.url, body, hmac(space.secret, body, 'hex'))).status).toBe(200);
    expect((await post(listener.url, bodies[0] as Buffer, hmac('wrong secret', bodies[0] as Buffer, 'hex'))).status).toBe(401);
    const notJson = await post(listener.url, Buffer.from('hello, not JSON'), hmac(space.secret, Buffer.from('hello, not JSON'), 'hex'), 'text/plain');
    expect(notJson.status).toBe(200);
    await listener.stop();
    records = (await allRecords(space.logDir)).filter((record) => record.webhook?.direction === 'received');
  });

  it('forwards each delivery byte for byte with its signature and answers with the app status', async () => {
    const arrived = await app.received();
    expect(arrived.map((delivery) => Buffer.from(delivery.body, 'base64').toString('utf8'))).toEqual([...bodies.map(String), String(bodies[0]), 'hello, not JSON']);
    expect(arrived.map((delivery) => delivery.valid)).toEqual([true, true, true, true, false, true]);
    expect(arrived[0]?.signature).toBe(hmac(space.secret, bodies[0] as Buffer, 'hex'));
  });

  it('records each delivery: the event, whether its signature is valid, the app answer and the exact body', () => {
    expect(records).toHaveLength(6);
    for (const record of records) assertValidRecord(record);
    const [first] = records;
    expect(first).toMatchObject({ method: 'POST', url: '/events', status: 200, upstreamUrl: app.url });
    expect(first?.webhook).toEqual({ direction: 'received', event: 'client.UPDATE', id: '4711', signature: 'valid', encoding: 'hex', forwardedTo: app.url });
    expect(first?.request.body).toBe(String(bodies[0]));
    expect(first?.request.headers['x-signature-sha512']).toBe(hmac(space.secret, bodies[0] as Buffer, 'hex'));
    expect(first?.response.body).toBe('ok');
    expect(records[4]).toMatchObject({ status: 401, webhook: { signature: 'invalid' } });
    expect(records[4]?.webhook?.warning).toBeUndefined();
    expect(records[5]?.webhook).toMatchObject({ event: 'not JSON', signature: 'valid', warning: 'the body is not JSON: Ons sends JSON events only' });
    expect(listener.output()).toContain('POST /events 200');
  });

  it('answers nothing but POST on its path', async () => {
    const other = await listen(app.url);
    expect((await fetch(other.url)).status).toBe(404);
    expect((await post(other.url.replace('/events', '/__proxy/status'), Buffer.from('{}'), undefined)).status).toBe(404);
    expect((await post(other.url.replace('/events', '/other'), Buffer.from('{}'), undefined)).status).toBe(404);
    expect((await fetch(other.url.replace('/events', '/__proxy/'))).status).toBe(404);
    expect((await post(other.url, Buffer.alloc(1024 * 1024 + 1, 0x20), undefined)).status).toBe(413);
    await other.stop();
    const tooLarge = (await allRecords(space.logDir)).find((record) => record.status === 413);
    expect(tooLarge?.webhook).toMatchObject({ direction: 'received', event: 'not read', signature: 'unchecked' });
    expect(tooLarge?.request.bodyBytes).toBe(1024 * 1024 + 1);
    expect(other.output()).toContain('webhook delivery not forwarded');
  });

  it('warns when the app answers 200 to a badly signed event', async () => {
    const careless = await receiver('node', space.secretFile, 'hex', 'accept-all');
    // A log folder of its own: the replays below send what this suite's listener delivered.
    const elsewhere = workspace();
    const other = await listen(careless.url, { ...elsewhere.env, ONS_PROXY_WEBHOOK_SECRET_FILE: space.secretFile });
    const body = Buffer.from('{"customerCode":"TE1002","modelType":"team","eventType":"DELETE","id":3,"timestamp":"2024-08-22T10:08:11+02:00","amountOfRetries":0}');
    expect((await post(other.url, body, hmac('forged', body, 'hex'))).status).toBe(200);
    await other.stop();
    expect(other.output()).toContain('webhook team.DELETE 3 (signature invalid): the app answered 200 to a badly signed event');
    const recorded = (await allRecords(elsewhere.logDir)).find((record) => record.webhook?.event === 'team.DELETE');
    expect(recorded?.webhook?.warning).toMatch(/^the app answered 200 to a badly signed event: it must answer 401/);
  });

  it('warns when the app takes longer than the 3 s Ons waits', async () => {
    const slow = await receiver('python', space.secretFile, 'hex', 'sleep');
    const elsewhere = workspace();
    const other = await listen(slow.url, { ...elsewhere.env, ONS_PROXY_WEBHOOK_SECRET_FILE: space.secretFile });
    const body = Buffer.from('{"customerCode":"TE1002","modelType":"user","eventType":"CREATE","id":5,"timestamp":"2024-08-22T10:08:11+02:00","amountOfRetries":0}');
    expect((await post(other.url, body, hmac(space.secret, body, 'hex'))).status).toBe(200);
    await other.stop();
    const [recorded] = await allRecords(elsewhere.logDir);
    expect(recorded?.webhook?.warning).toMatch(/^the app took \d+ ms: Ons gives up after 3 s and counts the event as failed$/);
    expect(other.output()).toContain('webhook user.CREATE 5 (signature valid): the app took');
  });

  it('says when deliveries come signed in the other encoding, and warns about a 401 to a valid signature', async () => {
    const elsewhere = workspace();
    const other = await listen(app.url, { ...elsewhere.env, ONS_PROXY_WEBHOOK_SECRET_FILE: space.secretFile });
    const body = bodies[1] as Buffer;
    expect((await post(other.url, body, hmac(space.secret, body, 'base64'))).status).toBe(401); // the app checks hex
    await other.stop();
    const [recorded] = await allRecords(elsewhere.logDir);
    expect(recorded?.webhook).toMatchObject({ signature: 'valid', encoding: 'base64' });
    expect(recorded?.webhook?.warning).toMatch(/^the app answered 401 to a validly signed event/);
    expect(other.output()).toContain('deliveries are signed in base64, not hex: pass --signature-encoding base64');
  });

  it('refuses a non-loopback address without --unsafe-listen', async () => {
    const result = await cli(['listen', '--host', '0.0.0.0', '--forward-to', app.url]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--host 0.0.0.0 is not a loopback address');
  });

  it('lists the deliveries with logs --webhooks', async () => {
    const result = await runCli(['logs', '--webhooks'], { cwd: space.dir, env: space.env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('(webhook received client.UPDATE 4711, signature valid)');
    expect(result.stdout).toContain('(webhook received client.UPDATE 4711, signature invalid)');
  });

  it('verify says which encoding a recorded delivery matched, and when none does', async () => {
    const id = records[0]?.id ?? '';
    const matched = await cli(['verify', id.slice(0, 8)]);
    expect(matched.stdout).toContain('the signature matches the HMAC-SHA512 of the body');
    expect(matched.stdout).toContain('in hex.\nUse --signature-encoding hex');
    expect(matched.code).toBe(0);
    const forged = await cli(['verify', records[4]?.id ?? '']);
    expect(forged.code).toBe(1);
    expect(forged.stdout).toContain('matches in neither hex nor base64 (it looks like hex)');
  });

  it('verify settles base64 for a raw body file and header value', async () => {
    const vectors = golden();
    const result = await cli(['verify', '--secret-file', vectors.secretFile, '--body', path.join(DATA, 'golden-body.json'), '--signature', `X-Signature-SHA512: ${vectors.base64}`]);
    expect(result.stdout).toContain(`body's ${vectors.body.length} bytes in base64`);
    expect(result.code).toBe(0);
  });

  describe('webhooks replay', () => {
    it('sends the delivered ones again byte for byte, their signatures kept', async () => {
      const target = await receiver('node', space.secretFile, 'hex');
      const result = await cli(['replay', '--status', '200', '--to', target.url]);
      expect(result.code).toBe(0);
      const arrived = await target.received();
      const expected = records.filter((record) => record.status === 200);
      expect(arrived.map((delivery) => Buffer.from(delivery.body, 'base64').toString('utf8'))).toEqual(expected.map((record) => record.request.body));
      expect(arrived.map((delivery) => delivery.signature)).toEqual(expected.map((record) => record.request.headers['x-signature-sha512']));
      expect(arrived.every((delivery) => delivery.valid)).toBe(true);
      expect(result.stdout).toContain('5 deliveries: 5 x 200');
    });

    it('shuffles them the same way for the same seed, and sends each twice with --duplicate', async () => {
      const target = await receiver('python', space.secretFile, 'hex');
      const args = ['replay', '--status', '200', '--path', '/events', '--shuffle', '--seed', '7', '--to', target.url];
      expect((await cli(args)).code).toBe(0);
      expect((await cli(args)).code).toBe(0);
      const arrived = (await target.received()).map((delivery) => Buffer.from(delivery.body, 'base64').toString('utf8'));
      const [firstRun, secondRun] = [arrived.slice(0, 5), arrived.slice(5)];
      expect(firstRun).toEqual(secondRun);
      const recorded = records.filter((record) => record.status === 200).map((record) => String(record.request.body));
      expect([...firstRun].sort()).toEqual([...recorded].sort());
      expect(firstRun).not.toEqual(recorded);
      const twice = await cli(['replay', '--id', records[0]?.id ?? '', '--duplicate', '--to', target.url]);
      expect(twice.stdout).toContain('2 deliveries: 2 x 200');
    });

    it('signs them again with --resign, for a receiver with another secret', async () => {
      const other = workspace('the-new-secret');
      writeFileSync(other.secretFile, 'the-new-secret\n');
      const target = await receiver('python', other.secretFile, 'base64');
      const result = await cli(['replay', '--status', '200', '--resign', '--secret-file', other.secretFile, '--signature-encoding', 'base64', '--to', target.url]);
      expect(result.code).toBe(0);
      expect((await target.received()).every((delivery) => delivery.valid)).toBe(true);
    });
  });
});
