// A design file as the Markdown renderer's view: each endpoint with its operation from the
// API document (when there is one) and the fields the design selects of its answer model.
import type { ApiIndex } from '../openapi/index.js';
import { deprecationNote } from '../reports/endpoint-text.js';
import { answerModelName } from '../reports/received-fields.js';
import type { DesignEndpoint, ReadDesign } from './design-file.js';
import type { DesignView, EndpointView } from './markdown.js';
import { resolveDesign } from './resolve.js';

export function designView(read: ReadDesign, api: ApiIndex | undefined, documentNote: string): DesignView {
  const { design, locations } = read;
  const resolved = resolveDesign(design, locations, api);
  const problems = resolved.problems.map((problem) => `- ${problem.where}: ${problem.message}`);
  return {
    heading: design.connection ? `Technical Design: ${design.connection}` : 'Technical Design',
    intro: [
      `From ${locations.file}. ${documentNote}`,
      ...(problems.length > 0 ? [`**Fix these entries first** (ons-proxy design check lists everything):\n\n${problems.join('\n')}`] : []),
    ],
    useCases: design.useCases.map((useCase) => ({ title: useCase.title, description: useCase.description, endpoints: useCase.endpoints.map((endpoint) => endpointView(endpoint, read, api)) })),
    fieldsVerb: 'selected',
  };
}

function endpointView(endpoint: DesignEndpoint, read: ReadDesign, api: ApiIndex | undefined): EndpointView {
  const written = /^([A-Za-z]+)\s+(\/\S*)$/.exec(endpoint.operation.trim());
  const operation = written ? api?.index.byMethodAndPath(written[1] ?? '', written[2] ?? '') : api?.index.byId(endpoint.operation.trim()).find((candidate) => !candidate.path.startsWith('/t/'));
  const method = operation?.method ?? (written?.[1] ?? '').toUpperCase();
  const path = operation?.path ?? written?.[2] ?? endpoint.operation;
  const model = endpoint.model ?? (method === 'GET' ? answerModelName(api, method, path, 200) : undefined);
  const fields = model === undefined ? undefined : read.design.models?.[model];
  const summary = operation && { id: operation.id, summary: operation.summary, tag: operation.tag, deprecated: operation.deprecated ? (true as const) : undefined, deprecatedSince: operation.deprecatedSince, replacedBy: operation.replacedBy };
  return {
    method,
    path,
    operation: summary,
    deprecation: summary ? deprecationNote({ method, path, operation: summary, answers: [], useCases: {}, calls: 0, statuses: {}, firstSeen: '', lastSeen: '' }) || undefined : undefined,
    reason: endpoint.reason,
    answers: model !== undefined && fields ? [{ model, fields }] : [],
    noFields: model === undefined ? undefined : `Fields of \`${model}\`: none selected under "models", so the proxy passes them all (add the fields the use case needs).`,
  };
}
