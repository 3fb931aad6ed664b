// Clients in the shape of Ons's administration.Client (15 fields, a nested address, a list
// of contacts), for the Technical Design tests and the benchmark row of its field filter.
// The ids are above 2^53, as Ons's int64 ids may be: a filter that parses numbers changes them.

const FIRST = ['Anne', 'Bram', 'Cor', 'Daan', 'Els', 'Femke', 'Gerrit', 'Hanneke'];
const LAST = ['Proefmans', 'Voorbeeldsma', 'Nepperink', 'Testhuis'];

/** The raw text of one client: `id` is written as digits JSON.parse cannot hold exactly. */
export function clientText(index: number): string {
  const id = `9007199254740${String(993 + index).padStart(3, '0')}`;
  const rest = {
    identificationNumber: `DEMO-${String(index + 1).padStart(4, '0')}`,
    firstName: FIRST[index % FIRST.length],
    initials: `${FIRST[index % FIRST.length]?.[0] ?? 'X'}.`,
    prefix: index % 3 === 0 ? 'van' : null,
    lastName: LAST[index % LAST.length],
    dateOfBirth: `19${40 + (index % 50)}-0${(index % 9) + 1}-1${index % 10}`,
    gender: index % 2 === 0 ? 'V' : 'M',
    bsn: `99999${String(index).padStart(4, '0')}`,
    email: `client${index}@voorbeeld.invalid`,
    phoneNumber: '06-00000000',
    address: { street: 'Proefstraat', houseNumber: String(index + 1), postalCode: '1234 AB', city: index % 2 === 0 ? 'Testdorp' : 'Nepstad', geo: { lat: 52.1, lon: 5.1 } },
    contacts: [
      { type: 'email', value: `client${index}@voorbeeld.invalid`, verified: true },
      { type: 'phone', value: '06-00000000', verified: false },
    ],
    active: index % 5 !== 0,
    createdAt: '2024-03-01T08:00:00.000+01:00',
  };
  return `{"id":${id},${JSON.stringify(rest).slice(1)}`;
}

/** A bare JSON array of clients (Ons's list answers have no envelope), at least `minBytes` long. */
export function clientListText(minBytes: number): string {
  const items: string[] = [];
  let size = 2;
  while (size < minBytes) {
    const item = clientText(items.length);
    items.push(item);
    size += item.length + 1;
  }
  return `[${items.join(',')}]`;
}

/** The 5 of 15 fields the benchmark's and the tests' design selects. */
export const SELECTED_FIELDS = ['id', 'firstName', 'lastName', 'address.city', 'contacts.type'] as const;
