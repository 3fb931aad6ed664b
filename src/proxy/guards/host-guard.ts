import type { FastifyRequest } from 'fastify';
import { ConfigError } from '../../config/errors.js';
import { answerEarly, type ProxyFeature } from '../feature.js';
import { sendProblem, type Problem } from '../problem.js';
import { absoluteFormAuthority } from './request-target.js';
import { authorityAllowed, parseAuthority, parseConfiguredName, quoteForDetail, type Authority } from './authority.js';

export interface HostGuardOptions {
  /** ONS_PROXY_HOST: the address the proxy listens on. */
  readonly listenHost: string;
  /** ONS_PROXY_ALLOWED_HOSTS. */
  readonly allowedHosts: readonly string[];
  /** ONS_PROXY_UPSTREAM: an absolute-form request may name its host. */
  readonly upstream: string;
  /** More host names an absolute-form request may name for the upstream (ProxyConfig.upstreamStandsFor). */
  readonly upstreamStandsFor: readonly string[];
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];
// Wildcard listen addresses are not names a client uses.
const WILDCARD_ADDRESSES = new Set(['0.0.0.0', '[::]']);

/**
 * Answers only requests whose Host names this proxy. A web page can point a DNS name
 * it controls at 127.0.0.1 (DNS rebinding) and would then read care data through the
 * proxy with the developer's certificate; its requests carry that foreign name as Host.
 */
export function hostGuard(options: HostGuardOptions): ProxyFeature {
  const allowed = allowedAuthorities(options);
  const upstreamHosts = new Set([new URL(options.upstream).hostname, ...options.upstreamStandsFor].flatMap((name) => parseAuthority(name)?.hostname ?? []));
  const names = [...new Set(allowed.map(describe))].join(', ');

  function refusal(request: FastifyRequest): Problem | undefined {
    const target = request.originalUrl;
    const absolute = absoluteFormAuthority(target);
    if (absolute !== undefined) {
      // RFC 9112 3.2.2: with an absolute-form target the Host header is ignored.
      const named = parseAuthority(absolute);
      if (named && (authorityAllowed(named, allowed) || upstreamHosts.has(named.hostname))) return undefined;
      return targetHostRefused(absolute, options.upstream);
    }
    if (!target.startsWith('/')) return badTarget(target);
    const host = request.headers.host;
    if (host === undefined || host === '') return hostMissing(names);
    const named = parseAuthority(host);
    return named && authorityAllowed(named, allowed) ? undefined : hostRefused(host, names);
  }

  return {
    name: 'host-guard',
    phase: 'guard',
    register(app) {
      answerEarly(app, (request, reply) => {
        const problem = refusal(request);
        if (!problem) return false;
        sendProblem(reply, problem);
        return true;
      });
    },
  };
}

function allowedAuthorities(options: HostGuardOptions): Authority[] {
  const allowed = LOOPBACK_NAMES.map((name) => parseAuthority(name) as Authority);
  const listen = parseConfiguredName(options.listenHost);
  if (listen && !WILDCARD_ADDRESSES.has(listen.hostname)) allowed.push(listen);
  for (const name of options.allowedHosts) {
    const parsed = parseConfiguredName(name);
    if (!parsed) throw new ConfigError(`ONS_PROXY_ALLOWED_HOSTS: "${name}" is not a host name; list names such as ons-proxy or ons-proxy:8080, separated by commas.`);
    allowed.push(parsed);
  }
  return allowed;
}

function describe(authority: Authority): string {
  return authority.port === undefined ? authority.hostname : `${authority.hostname}:${authority.port}`;
}

function hostRefused(host: string, names: string): Problem {
  return {
    status: 403,
    code: 'host_not_allowed',
    title: 'Host not allowed',
    detail:
      `The request was addressed to Host ${quoteForDetail(host)}, but this proxy only answers to ${names}. ` +
      'This stops DNS rebinding: a web page in your browser must not reach the API with your certificate. ' +
      'If you reach the proxy under another name (e.g. a Docker service name), add it to ONS_PROXY_ALLOWED_HOSTS.',
  };
}

function hostMissing(names: string): Problem {
  return {
    status: 400,
    code: 'host_missing',
    title: 'Host header missing',
    detail: `Send a Host header naming the proxy (${names}); the proxy refuses requests that do not say where they were sent.`,
  };
}

function targetHostRefused(authority: string, upstream: string): Problem {
  return {
    status: 403,
    code: 'target_host_not_allowed',
    title: 'Target host not served by this proxy',
    detail:
      `The request asks for ${quoteForDetail(authority)}, but this proxy only forwards to ${new URL(upstream).host} (ONS_PROXY_UPSTREAM). ` +
      'It is not a general-purpose HTTP proxy: send only Ons API requests through it, e.g. list other hosts in NO_PROXY.',
  };
}

function badTarget(target: string): Problem {
  return {
    status: 400,
    code: 'bad_request_target',
    title: 'Unsupported request target',
    detail: `The request target ${quoteForDetail(target)} is neither a path (/t/clients) nor an http:// URL; send a path such as GET /ping.`,
  };
}
