// The inspector's session cookie expires on the server too, not only in the browser
// (Max-Age): a unit-level check with a clock the test moves, over fastify.inject.
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { INSPECTOR_SESSION_SECONDS, inspectorLogin } from '../../src/inspector/login.js';
import { newExchange } from '../../src/proxy/exchange.js';
import { accessTokenGuard } from '../../src/proxy/guards/access-token.js';

describe('the inspector session', () => {
  it('opens the inspector until it expires, then asks for the token again', async () => {
    let nowMs = Date.UTC(2026, 0, 5, 9);
    const app = Fastify();
    app.decorateRequest('exchange', null as never);
    app.addHook('onRequest', (request, _reply, done) => {
      request.exchange = newExchange(request.id);
      done();
    });
    await accessTokenGuard('token-1', inspectorLogin('token-1', () => nowMs)).register?.(app);
    app.get('/__proxy/', async () => 'inspector');
    const signIn = await app.inject({ url: '/__proxy/?token=token-1' });
    const cookie = String(signIn.headers['set-cookie']).split(';')[0] ?? '';

    nowMs += (INSPECTOR_SESSION_SECONDS - 60) * 1000;
    expect((await app.inject({ url: '/__proxy/', headers: { cookie } })).statusCode).toBe(200);
    nowMs += 61 * 1000;
    expect((await app.inject({ url: '/__proxy/', headers: { cookie } })).statusCode).toBe(401);
    await app.close();
  });
});
