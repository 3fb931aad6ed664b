// The events `trigger` builds, checked against Ons's Event schema (written out independently in
// test/webhooks/data/ons-event.schema.json), and the mistakes it refuses.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { buildEvent, buildNopEvent, eventNames, eventProblems, loadEventSchema } from '../../src/webhooks/index.js';
import { DATA } from './helpers.js';

const schema = loadEventSchema();
const ajv = new Ajv({ allErrors: true });
addFormats.default(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(path.join(DATA, 'ons-event.schema.json'), 'utf8')) as object);

describe('webhook events', () => {
  it('lists the 21 model types with their CRUD events and the 8 CUSTOM events', () => {
    const names = eventNames(schema);
    expect(names).toContain('client.UPDATE');
    expect(names).toContain('hour_type.UPDATE');
    expect(names).not.toContain('hour_type.DELETE');
    expect(names).toContain('roster_slot_changed.CUSTOM');
    expect(Object.keys(schema.modelTypes)).toHaveLength(21);
    expect(Object.keys(schema.customEvents)).toHaveLength(8);
  });

  it.each(eventNames(schema))('%s is built as an event that validates', (name) => {
    const event = buildEvent(schema, { name, id: 4711 });
    expect(validate(event), JSON.stringify(validate.errors)).toBe(true);
    expect(eventProblems(schema, event)).toEqual([]);
    expect(`${event.modelType}.${event.eventType}`).toBe(name);
  });

  it('builds a CRUD event with the fields in the order of Ons example, and a local timestamp with its offset', () => {
    const event = buildEvent(schema, { name: 'client.update', id: 4711, now: new Date('2024-08-22T08:08:11Z') });
    expect(Object.keys(event)).toEqual(['customerCode', 'modelType', 'eventType', 'id', 'timestamp', 'amountOfRetries']);
    expect(event).toMatchObject({ customerCode: 'TE1002', modelType: 'client', eventType: 'UPDATE', id: 4711, amountOfRetries: 0 });
    expect(new Date(event.timestamp).toISOString()).toBe('2024-08-22T08:08:11.000Z');
    expect(event.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
  });

  it('gives a CUSTOM event its payload, and the deprecated top-level id only for a single *Id field', () => {
    const single = buildEvent(schema, { name: 'care_plan_activated', payload: new Map([['clientId', '12']]) });
    expect(single).toMatchObject({ eventType: 'CUSTOM', modelType: 'care_plan_activated', id: 12, payload: { clientId: 12 } });
    const two = buildEvent(schema, { name: 'care_tech_order_created.CUSTOM', payload: new Map([['orderId', '7'], ['productCode', 'X-1']]) });
    expect(two.payload).toEqual({ orderId: 7, productCode: 'X-1' });
    expect(two.id).toBe(7);
    const schedule = buildEvent(schema, { name: 'employee_schedule_changed', payload: new Map([['source', 'shift_assignment']]) });
    expect(schedule.payload?.source).toBe('shift_assignment');
    expect(validate(buildNopEvent(schema))).toBe(false); // NOP is outside Ons's enum, as documented
    expect(eventProblems(schema, buildNopEvent(schema))).toEqual([]);
  });

  it('refuses unknown names with the nearest ones, CRUD events without id, and payload keys an event lacks', () => {
    expect(() => buildEvent(schema, { name: 'clinet.UPDATE', id: 1 })).toThrow(/Unknown webhook model or event "clinet.UPDATE"; nearest: client/);
    expect(() => buildEvent(schema, { name: 'care_plan_activatd' })).toThrow(/nearest: care_plan_activated/);
    expect(() => buildEvent(schema, { name: 'hour_type.DELETE', id: 1 })).toThrow(/Ons sends no DELETE event for hour_type: use hour_type.CREATE, hour_type.UPDATE/);
    expect(() => buildEvent(schema, { name: 'client.UPDATE' })).toThrow(/add --id <number>/);
    expect(() => buildEvent(schema, { name: 'team_assignment_changed', payload: new Map([['clientId', '1']]) })).toThrow(/has no payload field "clientId": its fields are employeeId/);
    expect(() => buildEvent(schema, { name: 'employee_schedule_changed', payload: new Map([['source', 'elsewhere']]) })).toThrow(/one of availability, shift_assignment, location_authorization/);
    expect(() => buildEvent(schema, { name: 'client.UPDATE', id: 1, payload: new Map([['a', '1']]) })).toThrow(/only CUSTOM events do/);
  });
});
