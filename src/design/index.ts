/** The Technical Design file: reading and checking it, enforcing it in the proxy, drafting it from records. */
import type { ApiKnowledge } from '../openapi/index.js';
import { DesignFileError, readDesignFile } from './design-file.js';
import { technicalDesignFeature, type DesignEnforcement, type TechnicalDesignFeature } from './enforce.js';
import { resolveDesign } from './resolve.js';

export { DESIGN_HEADER } from './enforce.js';
export { DesignFileError, readDesignFile, type TechnicalDesign } from './design-file.js';
export { FILTERED_REPRESENTATIONS, type FilteredRepresentation } from './field-filter.js';

/**
 * Reads the design file and resolves it against the proxy's API document; throws
 * DesignFileError (exit 2) naming the file, the line and what is wrong, so a proxy never
 * starts with a design that would block or filter other than its author meant.
 */
export function openTechnicalDesign(file: string, knowledge: ApiKnowledge, settings: DesignEnforcement): TechnicalDesignFeature {
  const read = readDesignFile(file);
  const { problems } = resolveDesign(read.design, read.locations, knowledge.current);
  const [first] = problems;
  if (first) {
    const more = problems.length > 1 ? ` (${problems.length - 1} more: ons-proxy design check ${file} lists them all)` : '';
    throw new DesignFileError(`Technical Design ${first.where}: ${first.message}${more}`);
  }
  return technicalDesignFeature(read, knowledge, settings);
}
