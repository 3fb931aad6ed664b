// Features are listed in the order they run; a list that says otherwise does not start.
import { describe, expect, it } from 'vitest';
import { assertPhaseOrder, type FeaturePhase, type ProxyFeature } from '../../src/proxy/feature.js';

const feature = (name: string, phase: FeaturePhase): ProxyFeature => ({ name, phase });

describe('the order of features', () => {
  it('accepts features listed by phase, several in one phase', () => {
    expect(() =>
      assertPhaseOrder([feature('certificate', 'setup'), feature('host', 'guard'), feature('cors', 'guard'), feature('limit', 'admit'), feature('headers', 'adjust'), feature('record', 'observe')]),
    ).not.toThrow();
  });

  it('refuses a guard listed after an observer, naming both', () => {
    expect(() => assertPhaseOrder([feature('record', 'observe'), feature('host', 'guard')])).toThrow(
      'feature "host" (phase guard) is listed after "record" (phase observe); list features in the order setup, guard, admit, adjust, observe',
    );
  });
});
