import type tls from 'node:tls';
import type { Agent } from 'undici';
import type { ProxyFeature } from '../proxy/feature.js';
import { assertCurrentlyValid, expiryWarning } from './assessment.js';
import { watchMaterialFiles, type MaterialWatch } from './file-watch.js';
import { hashMaterial, loadClientCertificate, type CertificateSettings, type LoadedCertificate } from './loader.js';
import { readClientMaterial } from './material.js';
import type { SwappableDispatcher } from './upstream-dispatcher.js';

/** Where the certificate's news goes: the console logger satisfies it. */
export interface CertificateLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface ReloadOutcome {
  readonly at: string;
  readonly trigger: string;
  readonly result: 'reloaded' | 'unchanged' | 'failed';
  readonly error?: string;
}

export interface CertificateReloaderOptions {
  readonly settings: CertificateSettings;
  readonly dispatcher: SwappableDispatcher;
  readonly initial: LoadedCertificate;
  readonly createAgent: (secureContext: tls.SecureContext) => Agent;
  readonly log: CertificateLog;
  readonly debounceMs?: number;
  /** How often the expiry warning is repeated while running. */
  readonly expiryCheckIntervalMs?: number;
}

export interface CertificateReloader extends ProxyFeature {
  readonly current: LoadedCertificate;
  /** Loads and checks the files again; switches only when they changed (or `force`) and are valid. */
  reload(trigger: string, options?: { force?: boolean }): Promise<ReloadOutcome>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function describe(certificate: LoadedCertificate): string {
  const { commonName, serialNumber, validTo } = certificate.summary;
  return `${commonName} (serial ${serialNumber}, valid until ${validTo.slice(0, 10)})`;
}

/**
 * Keeps the proxy's client certificate current without a restart: watches the files and
 * listens for SIGHUP, loads and checks the new material first, then points new upstream
 * connections at it. Connections already open finish on the old certificate; invalid new
 * material is logged and the old certificate stays in use.
 */
export function certificateReloader(options: CertificateReloaderOptions): CertificateReloader {
  const { settings, dispatcher, log } = options;
  let current = options.initial;
  let lastReload: ReloadOutcome | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let watch: MaterialWatch | undefined;
  let expiryTimer: NodeJS.Timeout | undefined;
  const onSignal = (): void => void reloader.reload('SIGHUP', { force: true });

  function attempt(trigger: string, force: boolean): ReloadOutcome {
    const at = new Date().toISOString();
    try {
      // Reading is cheap; parsing and checking only happen when a byte changed.
      if (!force && hashMaterial(readClientMaterial(settings)) === current.contentHash) return { at, trigger, result: 'unchanged' };
      const next = loadClientCertificate(settings);
      const previous = current;
      current = next;
      dispatcher.swap(options.createAgent(next.secureContext)).catch((error: unknown) => {
        log.warn(`Closing the connections of the previous certificate failed: ${(error as Error).message}`);
      });
      const changed = previous.summary.fingerprint256 === next.summary.fingerprint256 ? 'same certificate, files re-read' : `was ${describe(previous)}`;
      log.info(`Client certificate reloaded (${trigger}): new connections present ${describe(next)}; ${changed}.`);
      for (const warning of next.warnings) log.warn(warning);
      return { at, trigger, result: 'reloaded' };
    } catch (error) {
      const message = (error as Error).message;
      log.error(`Client certificate reload (${trigger}) failed, still using ${describe(current)}: ${message}`);
      return { at, trigger, result: 'failed', error: message };
    }
  }

  function checkExpiry(): void {
    try {
      assertCurrentlyValid(current.identity.certificate);
    } catch (error) {
      log.error((error as Error).message);
      return;
    }
    const warning = expiryWarning(current.identity.certificate);
    if (warning) log.warn(warning);
  }

  const reloader: CertificateReloader = {
    name: 'certificate',
    phase: 'setup',
    get current() {
      return current;
    },
    reload(trigger, { force = false } = {}) {
      const outcome = queue.then(() => attempt(trigger, force));
      queue = outcome;
      return outcome.then((result) => {
        if (result.result !== 'unchanged' || force) lastReload = result;
        return result;
      });
    },
    start() {
      watch = watchMaterialFiles(current.material.files, options.debounceMs ?? 250, () => void reloader.reload('file change'), (message) => log.warn(message));
      process.on('SIGHUP', onSignal);
      expiryTimer = setInterval(checkExpiry, options.expiryCheckIntervalMs ?? DAY_MS);
      expiryTimer.unref();
    },
    status() {
      return {
        ...current.summary,
        files: current.material.files,
        warnings: current.warnings,
        watching: watch?.directories ?? [],
        lastReload: lastReload ?? null,
      };
    },
    async close() {
      watch?.close();
      process.off('SIGHUP', onSignal);
      if (expiryTimer) clearInterval(expiryTimer);
      await queue;
    },
  };
  return reloader;
}
