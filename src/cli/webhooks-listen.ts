// `webhooks listen`: the receiver in front of the app, until SIGINT or SIGTERM.
import { UserError } from '../config/errors.js';
import { isLoopbackHost } from '../config/validate.js';
import { createConsoleLogger } from '../log/logger.js';
import { deliveryUrl, openDeliveryRecorder, SECRET_FILE_ENV, startWebhookListener } from '../webhooks/index.js';
import { stringFlag } from './args.js';
import { integerFlag, optionalSecret, recordSettingsOf, signatureEncoding, webhookConfig, type WebhooksSubcommand } from './webhooks.js';

const DEFAULT_PORT = 8090;
const DEFAULT_PATH = '/events';

export const webhooksListen: WebhooksSubcommand = async (parsed) => {
  const forwardTo = deliveryUrl(stringFlag(parsed, 'forward-to'), '--forward-to');
  const port = integerFlag(parsed, 'port', DEFAULT_PORT, 0, 65535);
  const host = stringFlag(parsed, 'host') ?? '127.0.0.1';
  if (!isLoopbackHost(host) && parsed.values['unsafe-listen'] !== true) {
    throw new UserError(`--host ${host} is not a loopback address: anyone who reaches it could send your app events. A tunnel (ngrok, cloudflared) reaches 127.0.0.1 already; add --unsafe-listen if you mean it.`);
  }
  const path = stringFlag(parsed, 'path') ?? DEFAULT_PATH;
  if (!path.startsWith('/') || path.startsWith('/__proxy')) throw new UserError(`--path ${path}: give the path deliveries arrive on, starting with / and outside /__proxy/, e.g. --path /events.`);
  const config = webhookConfig(parsed);
  const logger = createConsoleLogger(config.logLevel);
  const secret = optionalSecret(parsed);
  if (secret === undefined) logger.warn(`no webhook secret configured (--secret-file, ${SECRET_FILE_ENV}): signatures are recorded as unchecked`);
  const recorder = openDeliveryRecorder(recordSettingsOf(config), logger, true);
  let listener;
  try {
    listener = await startWebhookListener({ host, port, path, forwardTo, secret: secret?.value, encoding: signatureEncoding(parsed), recorder, logger });
  } catch (error) {
    await recorder.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') throw new UserError(`Cannot listen on ${host}:${port} (${code}): choose another --port.`);
    throw error;
  }
  logger.info(`webhooks listen: listening on ${listener.url} -> ${forwardTo}`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await listener.close();
  await recorder.close();
  logger.info('stopped');
  logger.flush();
  return 0;
};
