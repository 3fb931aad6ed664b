// `ons-proxy endpoints --format markdown`: a draft of the connection's Technical Design, in
// the shape the Ons API Dashboard asks for it: use cases, each with its endpoints, and per
// endpoint the model fields the integration needs (here: the ones it received). Rendered by
// the same code as `ons-proxy design show --format markdown`.
import { renderDesignMarkdown, type EndpointView, type UseCaseView } from '../design/markdown.js';
import type { EndpointUsage } from './endpoints.js';
import { deprecationNote } from './endpoint-text.js';

export interface DraftContext {
  /** "15 calls recorded in ./logs since …" */
  readonly scope: string;
  /** Which API document named the operations, or that none was available. */
  readonly documentNote: string;
}

export const WITHOUT_USE_CASE = 'Calls without a use case';

export function formatTechnicalDesign(endpoints: readonly EndpointUsage[], context: DraftContext): string {
  return renderDesignMarkdown({
    heading: 'Technical Design (draft)',
    intro: [
      `Drawn from ${context.scope}. ${context.documentNote}`,
      'Review it before you enter it in the Ons API Dashboard: request only the endpoints and fields this connection needs, give each use case a description and each endpoint a reason. The fields are the ones the API actually sent; on staging and production the connection receives only the fields its approved Technical Design selects. `ons-proxy design draft` writes this draft as a design file the proxy can enforce (--design).',
    ],
    empty: 'No exchanges were recorded there, so there is nothing to draft yet: run your integration through the proxy first.',
    useCases: byUseCase(endpoints),
    fieldsVerb: 'used',
  });
}

/** Use cases in name order, the unlabelled calls last; an endpoint appears under each use case that called it. */
function byUseCase(endpoints: readonly EndpointUsage[]): UseCaseView[] {
  const groups = new Map<string, EndpointView[]>();
  const add = (name: string, endpoint: EndpointUsage, calls: number): void => {
    const view = endpointView(endpoint, calls);
    const members = groups.get(name);
    if (members) members.push(view);
    else groups.set(name, [view]);
  };
  for (const endpoint of endpoints) {
    let labelled = 0;
    for (const [name, calls] of Object.entries(endpoint.useCases)) {
      add(name, endpoint, calls);
      labelled += calls;
    }
    if (endpoint.calls > labelled) add(WITHOUT_USE_CASE, endpoint, endpoint.calls - labelled);
  }
  return [...groups]
    .sort(([a], [b]) => Number(a === WITHOUT_USE_CASE) - Number(b === WITHOUT_USE_CASE) || a.localeCompare(b))
    .map(([title, members]) => ({
      title,
      note: title === WITHOUT_USE_CASE ? 'These calls carried no `x-ons-usecase` header and the proxy had no log tag (ONS_PROXY_LOG_TAG): label them to sort them into use cases.' : undefined,
      endpoints: members,
    }));
}

function endpointView(endpoint: EndpointUsage, calls: number): EndpointView {
  return {
    method: endpoint.method,
    path: endpoint.path,
    operation: endpoint.operation,
    deprecation: deprecationNote(endpoint) || undefined,
    calls,
    answers: endpoint.answers,
    noFields: 'Fields: none recorded (no successful JSON answer with a body was recorded for it).',
  };
}
