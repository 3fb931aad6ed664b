/**
 * Fictitious people for the mock. Surnames are built from Dutch words for "test", "example"
 * and "fake" so nobody mistakes them for real care data; there are no BSNs, only made-up
 * identification numbers with a DEMO prefix.
 */

export interface FixtureClient {
  id: number;
  identificationNo: string;
  firstName: string;
  initials: string;
  prefix: string | null;
  lastName: string;
  dateOfBirth: string;
  gender: 'M' | 'V' | 'O';
  email: string;
  phoneNumber: string;
  city: string;
  active: boolean;
}

export interface FixtureEmployee {
  id: number;
  employeeNumber: string;
  firstName: string;
  initials: string;
  prefix: string | null;
  lastName: string;
  email: string;
  jobTitle: string;
  teamName: string;
  active: boolean;
}

const FIRST_NAMES = [
  'Anne', 'Bram', 'Cor', 'Daan', 'Els', 'Femke', 'Gerrit', 'Hanneke', 'Ids', 'Joke',
  'Kees', 'Lotte', 'Maarten', 'Nienke', 'Otto', 'Pien', 'Quirijn', 'Roos', 'Sjaak', 'Truus',
  'Ukje', 'Vera', 'Wim', 'Yfke', 'Zeger',
];
const PREFIXES = [null, 'van', 'de', 'van der', null, 'ter'];
const SURNAMES = [
  'Proefmans', 'Testbeek', 'Voorbeeldhuis', 'Nepkamp', 'Demoveld', 'Oefenberg', 'Zogenaamd',
  'Verzinsel', 'Fictiestra', 'Namaakdijk', 'Probeerhof', 'Schijnbroek',
];
const CITIES = ['Testdorp', 'Proefstad', 'Nergenshuizen', 'Verzonnenveen', 'Oefenwoude'];
const GENDERS: FixtureClient['gender'][] = ['V', 'M', 'O'];
const JOB_TITLES = ['Wijkverpleegkundige', 'Verzorgende IG', 'Teamleider', 'Planner', 'Helpende'];
const TEAMS = ['Team Noord (demo)', 'Team Zuid (demo)', 'Team Centrum (demo)'];

function pick<T>(list: readonly T[], index: number): T {
  const value = list[index % list.length];
  if (value === undefined) throw new Error('empty fixture list');
  return value;
}

function emailLocalPart(firstName: string, lastName: string): string {
  return `${firstName}.${lastName}`.toLowerCase().replace(/[^a-z.]/g, '');
}

export const CLIENTS: readonly FixtureClient[] = Array.from({ length: 25 }, (_, i) => {
  const firstName = pick(FIRST_NAMES, i);
  const lastName = pick(SURNAMES, i * 5);
  const year = 1930 + ((i * 7) % 70);
  const month = String((i % 12) + 1).padStart(2, '0');
  const day = String((i % 27) + 1).padStart(2, '0');
  return {
    id: i + 1,
    identificationNo: `DEMO-${String(i + 1).padStart(4, '0')}`,
    firstName,
    initials: `${firstName[0]}.`,
    prefix: pick(PREFIXES, i),
    lastName,
    dateOfBirth: `${year}-${month}-${day}`,
    gender: pick(GENDERS, i),
    email: `${emailLocalPart(firstName, lastName)}@example.invalid`,
    // 06-00 is not issued to subscribers in the Dutch numbering plan.
    phoneNumber: `06-00${String(100000 + i * 37).slice(-6)}`,
    city: pick(CITIES, i),
    active: i % 9 !== 8,
  };
});

export const EMPLOYEES: readonly FixtureEmployee[] = Array.from({ length: 10 }, (_, i) => {
  const firstName = pick(FIRST_NAMES, 24 - i * 2);
  const lastName = pick(SURNAMES, i * 3 + 1);
  return {
    id: 101 + i,
    employeeNumber: `DEMO-MW-${String(i + 1).padStart(3, '0')}`,
    firstName,
    initials: `${firstName[0]}.`,
    prefix: pick(PREFIXES, i + 2),
    lastName,
    email: `${emailLocalPart(firstName, lastName)}@zorg.example.invalid`,
    jobTitle: pick(JOB_TITLES, i),
    teamName: pick(TEAMS, i),
    active: true,
  };
});

/** The shape newer `/v0/administration/` endpoints use for the same client. */
export function toV0Client(client: FixtureClient): Record<string, unknown> {
  return {
    id: client.id,
    identificationNumber: client.identificationNo,
    name: {
      given: client.firstName,
      initials: client.initials,
      prefix: client.prefix,
      family: client.lastName,
    },
    birthDate: client.dateOfBirth,
    gender: client.gender,
    contact: { email: client.email, phone: client.phoneNumber },
    address: { city: client.city },
    active: client.active,
  };
}
