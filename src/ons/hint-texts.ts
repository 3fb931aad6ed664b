/**
 * What an Ons status usually means, in one line for the developer: shown on the console and
 * kept in the traffic record. Placeholders in {braces} are filled in by hints.ts.
 */
export const HINT_TEXTS = {
  pingForbidden:
    '403 on /ping: this certificate does not belong to the {environment} environment (e.g. a development certificate sent to production). Use the certificate Ons issued for {environment}.',
  forbiddenOnDevelopment:
    '403 on development: this endpoint is not in the connection\'s Technical Design. Add it to the Technical Design, or switch on "Allow all endpoints on development" in the Ons API Dashboard.',
  forbiddenApproved:
    '403 on {environment}: only endpoints (and fields) approved in the connection\'s Technical Design are reachable. Request this endpoint in the Technical Design, and check that the certificate is the one issued for {environment}.',
  notAcceptable:
    '406: Ons cannot answer in a format the Accept header ({accept}) allows. Send "Accept: application/json" (application/x-ndjson for bulk streams), or send no Accept and the proxy adds application/json.',
  tooManyRequests:
    '429: Ons saw more than 4 parallel requests for this certificate. The proxy sends at most {maxConcurrency} at once: set ONS_PROXY_MAX_CONCURRENCY to 4 or less, and route every other user of this certificate through this proxy.',
  certificateInvalid:
    '495: Ons refused the client certificate: it is invalid, expired or not signed by Ons. Run `ons-proxy check` to see which.',
} as const;

export type HintName = keyof typeof HINT_TEXTS;
