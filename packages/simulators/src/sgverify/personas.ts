// The data-item shapes are Myinfo's, which SG-Verify shares; they live with the Myinfo Business
// simulator for now (see the report: they belong in a shared module).
import {
  BLANK_CODE,
  BLANK_SG_ADDRESS,
  coded,
  dataItem,
  type JsonObject,
  notApplicable,
  type SgAddress,
  sgAddress,
  value,
} from '../myinfobiz/data-items.ts';
import type { SgVerifyAttribute } from './attributes.ts';

/**
 * Who can scan a QR code with the simulated Singpass app. NRICs/FINs and uuids are MockPass's
 * Myinfo v3 test personas (valid check letters), so one test person has the same Singpass uuid
 * in MockPass and here; the contact details are illustrative.
 */
export interface SgVerifyPersona {
  uinfin: string;
  /** What SG-Verify names the person by: the access token's `sub` and the person call's path. */
  uuid: string;
  name: string;
  /** Which kind of person this is, for choosing one in tests and local mode. */
  kind: 'citizen' | 'permanent resident' | 'foreigner (F FIN)' | 'foreigner (G FIN)';
  person: Readonly<Record<SgVerifyAttribute, JsonObject>>;
}

const UPDATED = '2024-03-18';

interface PersonFacts {
  uinfin: string;
  uuid: string;
  name: string;
  kind: SgVerifyPersona['kind'];
  sex: JsonObject;
  nationality: JsonObject;
  dob: string;
  mobile: string;
  email: string;
  /** Undefined for a foreigner: the spec says a foreigner never has regadd. */
  regadd?: SgAddress;
  /** Undefined for citizens and PRs: the spec says they never have passtype. */
  passtype?: JsonObject;
  /** Undefined for a foreigner, as MockPass's foreign personas have it (source 3). */
  residentialstatus?: JsonObject;
}

// The spec's own example masks all but the last four characters: "*****381D".
const partialUinfin = (uinfin: string): string => `${'*'.repeat(uinfin.length - 4)}${uinfin.slice(-4)}`;

const persona = (facts: PersonFacts): SgVerifyPersona => ({
  uinfin: facts.uinfin,
  uuid: facts.uuid,
  name: facts.name,
  kind: facts.kind,
  person: {
    uinfin: dataItem(value(facts.uinfin), UPDATED),
    partialuinfin: dataItem(value(partialUinfin(facts.uinfin)), UPDATED),
    name: dataItem(value(facts.name), UPDATED),
    sex: dataItem(facts.sex, UPDATED),
    nationality: dataItem(facts.nationality, UPDATED),
    dob: dataItem(value(facts.dob), UPDATED),
    // Contact details come from the user's Singpass profile, not a government record: source 2.
    mobileno: dataItem({ prefix: value('+'), areacode: value('65'), nbr: value(facts.mobile) }, UPDATED, '2'),
    email: dataItem(value(facts.email), UPDATED, '2'),
    regadd: facts.regadd
      ? dataItem(sgAddress(facts.regadd), UPDATED)
      : notApplicable(BLANK_SG_ADDRESS, UPDATED),
    passtype: facts.passtype ? dataItem(facts.passtype, UPDATED) : notApplicable(BLANK_CODE, UPDATED),
    residentialstatus: facts.residentialstatus
      ? dataItem(facts.residentialstatus, UPDATED)
      : notApplicable(BLANK_CODE, UPDATED),
  },
});

const FEMALE = coded('F', 'FEMALE');
const MALE = coded('M', 'MALE');
const MALAYSIAN = coded('MY', 'MALAYSIAN');

export const SGVERIFY_PERSONAS: readonly SgVerifyPersona[] = [
  persona({
    uinfin: 'S9812381D',
    uuid: 'b6cb9308-733b-42b3-ad38-9b5afc890206',
    name: 'TAN HENG HUAT',
    kind: 'citizen',
    sex: FEMALE,
    nationality: coded('SG', 'SINGAPORE CITIZEN'),
    dob: '1998-06-06',
    mobile: '91234567',
    email: 'tan.henghuat@example.com',
    regadd: {
      block: '102',
      building: 'PEARL GARDEN',
      floor: '09',
      unit: '128',
      street: 'BEDOK NORTH AVENUE 4',
      postal: '460102',
    },
    residentialstatus: coded('C', 'CITIZEN'),
  }),
  persona({
    uinfin: 'S9812350D',
    uuid: 'c867ecfd-5a4b-2bd7-4187-cbc4390ca719',
    name: 'ALAKNANDA D/O ABIMANYU',
    kind: 'permanent resident',
    sex: FEMALE,
    nationality: MALAYSIAN,
    dob: '1990-10-06',
    mobile: '92345678',
    email: 'alaknanda@example.com',
    regadd: {
      block: '35',
      building: 'PARC OASIS',
      floor: '08',
      unit: '367',
      street: 'JURONG EAST AVENUE 1',
      postal: '609774',
    },
    residentialstatus: coded('P', 'PR'),
  }),
  persona({
    uinfin: 'F1612347K',
    uuid: '22e08ae6-0d4c-2053-078e-4e22d82d9983',
    name: 'TAN AH HONG',
    kind: 'foreigner (F FIN)',
    sex: MALE,
    nationality: MALAYSIAN,
    dob: '1960-05-17',
    mobile: '83456789',
    email: 'tan.ahhong@example.com',
    passtype: coded('WHP', 'Work Holiday Pass'),
  }),
  persona({
    uinfin: 'G1612349N',
    uuid: '05f8d0f3-12ee-2ac6-0038-d71eaf762508',
    name: 'ALFRED CHONG BOON HAO',
    kind: 'foreigner (G FIN)',
    sex: MALE,
    nationality: coded('CN', 'CHINESE'),
    dob: '1948-12-11',
    mobile: '84567890',
    email: 'alfred.chong@example.com',
    passtype: coded('SPass', 'S Pass'),
  }),
];

export const personaByUinfin = (uinfin: string): SgVerifyPersona | undefined =>
  SGVERIFY_PERSONAS.find((p) => p.uinfin === uinfin);

export const personaByUuid = (uuid: string): SgVerifyPersona | undefined =>
  SGVERIFY_PERSONAS.find((p) => p.uuid === uuid);
