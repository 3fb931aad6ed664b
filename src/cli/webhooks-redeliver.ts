// `webhooks redeliver`: asks Ons to send again the events that failed in the last 24 hours,
// through the running proxy, so the request carries the connection's certificate.
import { print } from './output.js';
import { request } from 'undici';
import { UserError } from '../config/errors.js';
import { stringFlag } from './args.js';
import { webhookConfig, type WebhooksSubcommand } from './webhooks.js';

export const REDELIVER_PATH = '/webhooks/redeliver';

export const webhooksRedeliver: WebhooksSubcommand = async (parsed) => {
  const config = webhookConfig(parsed);
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const proxy = stringFlag(parsed, 'proxy') ?? `http://${host}:${config.port}`;
  let target: URL;
  try {
    target = new URL(REDELIVER_PATH, proxy);
  } catch {
    throw new UserError(`--proxy ${proxy} is not a URL: e.g. --proxy http://localhost:8080.`);
  }
  const headers: Record<string, string> = config.accessToken === undefined ? {} : { 'x-proxy-token': config.accessToken };
  let answer;
  try {
    answer = await request(target, { method: 'PUT', headers, body: '' });
  } catch (error) {
    const cause = (error as { cause?: NodeJS.ErrnoException }).cause ?? (error as NodeJS.ErrnoException);
    throw new UserError(`No proxy answers at ${proxy} (${cause.code ?? (error as Error).message}): start it with "ons-proxy start" (or "ons-proxy demo"), or name it with --proxy.`, 1);
  }
  const text = (await answer.body.text()).trim();
  const ok = answer.statusCode >= 200 && answer.statusCode < 300;
  print(`PUT ${REDELIVER_PATH} -> ${answer.statusCode}${text ? `: ${text.slice(0, 500)}` : ''}\n`);
  print(ok ? 'Ons sends the events that failed in the last 24 hours again, to the URL configured for this stage.\n' : 'Ons did not accept the redelivery: the answer above says why (a 403 usually means the certificate is not this connection\'s).\n');
  return ok ? 0 : 1;
};
