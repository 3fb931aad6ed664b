// What a record says beyond its status, as small labels in the list and counts in the summary.
// One list of kinds, so that the row, its hover text and the summary agree.

/** The badges of one exchange summary (see ExchangeSummary in inspector.ts): { kind, text, title }. */
export function badgesOf(exchange) {
  const badges = [];
  const retired = exchange.retired;
  if (retired) {
    const replacement = retired.replacedBy ? `replaced by ${retired.replacedBy}` : 'no replacement named';
    badges.push({ kind: retired.removed ? 'removed' : 'deprecated', text: retired.removed ? 'removed' : 'deprecated', title: retired.hint ?? replacement });
  }
  if (exchange.findings) badges.push({ kind: 'findings', text: `${exchange.findings} finding${exchange.findings === 1 ? '' : 's'}`, title: 'Request or answer does not fit the API document: see the findings in the detail' });
  if (exchange.design?.verdict === 'blocked') badges.push({ kind: 'blocked', text: 'blocked', title: 'No use case of the Technical Design lists this operation: the proxy did not forward it' });
  if (exchange.design?.verdict === 'filtered') {
    const fields = exchange.design.removedFields;
    badges.push({ kind: 'filtered', text: 'filtered', title: `The Technical Design removed ${fields ? `${fields} field${fields === 1 ? '' : 's'}` : 'fields'} from the answer` });
  }
  if (exchange.answeredBy === 'mock') badges.push({ kind: 'mock', text: 'mock', title: 'Answered by the mock, generated from the API document' });
  if (exchange.answeredBy === 'fixture' || (!exchange.answeredBy && exchange.tag === 'replay')) badges.push({ kind: 'replay', text: 'replay', title: 'Answered from a recorded fixture' });
  if (exchange.webhook) {
    const arrow = exchange.webhook.direction === 'received' ? '↓' : '↑';
    badges.push({ kind: 'webhook', text: `webhook ${arrow} ${exchange.webhook.event}`, title: `Webhook delivery ${exchange.webhook.direction}; signature ${exchange.webhook.signature}` });
  }
  if (exchange.aborted) badges.push({ kind: 'aborted', text: 'aborted', title: 'The client went away before the response was complete' });
  return badges;
}
