// JSON answers in the Ons API's shape (nested objects, dates and timestamps, nulls), of an
// exact size: the benchmark serves them and the recording tests send them through the proxy.
import { CLIENTS, toV0Client } from '../../src/demo/fixtures.js';

function detailedClient(index: number): Record<string, unknown> {
  const base = CLIENTS[index % CLIENTS.length] ?? CLIENTS[0];
  if (!base) throw new Error('the demo has no clients');
  const client = toV0Client({ ...base, id: index + 1 });
  return {
    ...client,
    createdAt: `2024-0${(index % 9) + 1}-1${index % 10}T08:${String(index % 60).padStart(2, '0')}:00.000+01:00`,
    updatedAt: null,
    deceasedAt: null,
    careAllocations: [
      { id: 9000 + index, product: { code: 'H126', name: 'Persoonlijke verzorging' }, validFrom: '2025-01-01', validTo: null, minutesPerWeek: 120 },
      { id: 9500 + index, product: { code: 'H104', name: 'Verpleging' }, validFrom: '2025-03-15', validTo: '2025-12-31', minutesPerWeek: 45 },
    ],
    contactPersons: [{ name: { given: 'Proef', prefix: null, family: 'Contactpersoon' }, relation: 'Dochter', phone: '06-00000000', isFirstContact: true }],
    locations: [{ id: 10 + (index % 5), name: 'Locatie Testdorp', room: index % 3 === 0 ? null : `K${index % 40}` }],
  };
}

/** Grows `value` by a `remarks` string until its JSON text is exactly `size` bytes. */
function padded(value: Record<string, unknown>, size: number): Buffer {
  const empty = Buffer.byteLength(JSON.stringify({ ...value, remarks: '' }));
  if (empty > size) throw new Error(`an Ons-shaped answer needs at least ${empty} bytes, not ${size}`);
  const body = Buffer.from(JSON.stringify({ ...value, remarks: 'x'.repeat(size - empty) }));
  if (body.length !== size) throw new Error(`Ons-shaped answer is ${body.length} bytes, not ${size}`);
  return body;
}

/** One client, as `GET /v0/administration/clients/{id}` answers it. */
export function onsObjectAnswer(size: number): Buffer {
  return padded(detailedClient(0), size);
}

/** A page of clients, as a list endpoint answers it: as many as fit in `size`. */
export function onsListAnswer(size: number): Buffer {
  const data: Record<string, unknown>[] = [];
  const page = (): Record<string, unknown> => ({ data, meta: { page: 1, pageSize: data.length, total: 1873, nextPage: 2, previousPage: null } });
  // Room is left for the padding field; a page of 50 KB holds about 60 clients.
  for (;;) {
    data.push(detailedClient(data.length));
    if (Buffer.byteLength(JSON.stringify(page())) + 16 > size) {
      data.pop();
      break;
    }
  }
  return padded(page(), size);
}
