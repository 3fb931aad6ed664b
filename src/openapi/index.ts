/** The API document: fetch and cache, index, operation lookup, advisory checks. */
export { ApiIndex, summarize, type CallDescription, type OperationSummary } from './api-index.js';
export { cacheEntry, cacheFolder, readCacheMeta, type CacheMeta } from './cache.js';
export type { Finding } from './checks.js';
export { valueAt } from './checks.js';
export { isObject, OpenApiDocumentError, resolveLocalRef, type OpenApiDocument, type SchemaObject } from './document.js';
export { downloadDocument, DownloadError, type DownloadResult } from './download.js';
export { apiDocumentFeature, FINDINGS_HEADER } from './feature.js';
export { ApiKnowledge, describeDocumentSetting, documentSource, loadCachedDocument, loadDocumentFile, WHAT_THE_DOCUMENT_ADDS, type DocumentSource } from './knowledge.js';
export type { OperationMatch } from './matcher.js';
export { loadMigrationFacts, type MigrationFacts } from './migration.js';
export { describeOperationLine, parametersOf, type ApiOperation } from './operations.js';
export { lowest2xx, operationResponses, pickContent, responseFor, type OperationResponse, type ResponseContent } from './responses.js';
export { pointerOf, type SchemaValidators, type SchemaProblem } from './validators.js';
export { routeParamName } from './matcher.js';
