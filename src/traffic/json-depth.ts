// JSON from clients and the upstream can nest as deep as its sender likes, and V8's
// JSON.stringify (like every recursive walk) runs out of stack a few thousand levels down,
// from a body of a few kilobytes. Records hold JSON values only up to this depth, so every
// later walk over a record (redaction, serialising, HAR, the inspector) stays bounded.

/** Deeper JSON is recorded as text. Real API answers nest a few levels; this leaves room for any of them. */
export const MAX_RECORDED_JSON_DEPTH = 100;

/** Whether `value` nests objects or arrays deeper than `maxDepth`; walks with its own stack, never the call stack. */
export function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  const pending: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (next.value === null || typeof next.value !== 'object') continue;
    const depth = next.depth + 1;
    if (depth > maxDepth) return true;
    for (const inner of Array.isArray(next.value) ? next.value : Object.values(next.value)) {
      if (inner !== null && typeof inner === 'object') pending.push({ value: inner, depth });
    }
  }
  return false;
}
