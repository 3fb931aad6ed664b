// The radix trees are built a few routes at a time between exchanges; a match that comes
// before they are complete must still find every operation, removed paths included.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDocument } from '../../src/openapi/document.js';
import { OperationMatcher } from '../../src/openapi/matcher.js';
import { indexOperations } from '../../src/openapi/operations.js';
import { syntheticOnsDocument } from '../support/synthetic-openapi.js';
import { ONS_SHAPE_FIXTURE } from './helpers.js';

const synthetic = indexOperations(parseDocument(JSON.stringify(syntheticOnsDocument()), 'synthetic'));
const onsShape = indexOperations(parseDocument(fs.readFileSync(ONS_SHAPE_FIXTURE, 'utf8'), ONS_SHAPE_FIXTURE));

describe('OperationMatcher built in steps', () => {
  it('splits an Ons-sized document into many bounded steps', () => {
    const steps = new OperationMatcher(synthetic.operations).buildSteps();
    // 926 operations plus as many removed /t/ paths, a few dozen routes per step.
    expect(steps.length).toBeGreaterThan(20);
  });

  it('matches routes no step has added yet, the same as a matcher built at once', () => {
    const whole = new OperationMatcher(synthetic.operations);
    whole.buildAll();
    const partial = new OperationMatcher(synthetic.operations);
    const steps = partial.buildSteps();
    for (const step of steps.slice(0, 2)) step();
    const last = synthetic.operations[synthetic.operations.length - 1];
    expect(last).toBeDefined();
    const path = (last?.path ?? '').replace(/\{[^}]+\}/g, '7');
    const removedPath = path.replace('/v0/administration/', '/t/');
    expect(partial.match(last?.method ?? 'GET', path)).toEqual(whole.match(last?.method ?? 'GET', path));
    expect(partial.match(last?.method ?? 'GET', path)).toMatchObject({ kind: 'operation', operation: { id: last?.id } });
    expect(partial.match(last?.method ?? 'GET', removedPath)).toMatchObject({ kind: 'removed', replacement: { id: last?.id } });
    // Steps that run after a match completed the trees change nothing.
    for (const step of steps.slice(2)) step();
    expect(partial.match(last?.method ?? 'GET', path)).toEqual(whole.match(last?.method ?? 'GET', path));
  });

  it('keeps the rule that the template with more literal segments wins across both trees', () => {
    const matcher = new OperationMatcher(onsShape.operations);
    for (const step of matcher.buildSteps()) step();
    // A removed path (/t/clients/searchresult) over the older document's /t/clients/{id}.
    expect(matcher.match('GET', '/t/clients/searchresult')).toMatchObject({ kind: 'removed', oldPath: '/t/clients/searchresult' });
    expect(matcher.match('GET', '/t/clients/4')).toMatchObject({ kind: 'operation', operation: { path: '/t/clients/{id}' }, params: { id: '4' } });
    expect(matcher.match('GET', '/v0/administration/clients/by_bsn')).toMatchObject({ kind: 'operation', params: {} });
  });
});
