import {
  BLANK_CODE,
  BLANK_SG_ADDRESS,
  coded,
  dataItem,
  type EntityAttribute,
  type JsonObject,
  notApplicable,
  type PersonAttribute,
  type SgAddress,
  sgAddress,
  value,
} from './data-items.ts';

/**
 * Who can log in to the simulator: a Corppass user (an officer of the entity, identified by a
 * MockPass-style NRIC/FIN with a valid check letter) acting for one entity. Entity data follows
 * Myinfo Business v2's attribute names; position and pass codes are illustrative, not ACRA's.
 */
export interface MyinfoBizPersona {
  /** The access token's `sub`: "<UEN>_<UINFIN>". */
  subject: string;
  uen: string;
  uinfin: string;
  entityName: string;
  officerName: string;
  entity: Readonly<Record<EntityAttribute, JsonObject>>;
  person: Readonly<Record<PersonAttribute, JsonObject>>;
}

const UPDATED = '2024-03-18';

interface Officer {
  uinfin: string;
  name: string;
  nationality: JsonObject;
}

const SINGAPOREAN = coded('SG', 'SINGAPORE CITIZEN');

const appointment = (officer: Officer, position: JsonObject, date: string): JsonObject => ({
  category: coded('1', 'Individual'),
  position,
  'appointment-date': value(date),
  'person-reference': {
    idno: value(officer.uinfin),
    idtype:
      officer.uinfin.startsWith('S') || officer.uinfin.startsWith('T')
        ? coded('NRIC', 'NRIC')
        : coded('FIN', 'FIN'),
    nationality: officer.nationality,
    'person-name': value(officer.name),
  },
});

interface EntityFacts {
  uen: string;
  name: string;
  type: JsonObject;
  constitution?: JsonObject;
  status: string;
  registered: string;
  primaryActivity: JsonObject;
  secondaryActivity: JsonObject;
  address: SgAddress;
  appointments: JsonObject[];
}

const entityData = (facts: EntityFacts): Record<EntityAttribute, JsonObject> => ({
  'basic-profile': dataItem(
    {
      uen: value(facts.uen),
      'entity-name': value(facts.name),
      'entity-type': facts.type,
      ...(facts.constitution ? { 'business-constitution': facts.constitution } : {}),
      'entity-status': value(facts.status),
      'registration-date': value(facts.registered),
      'primary-activity': facts.primaryActivity,
      'secondary-activity': facts.secondaryActivity,
    },
    UPDATED,
  ),
  addresses: dataItem(
    {
      'addresses-list': [
        { ...sgAddress(facts.address), standard: coded('D', 'SINGAPORE GOVERNMENT DATA REFERENCE MODEL') },
      ],
    },
    UPDATED,
  ),
  appointments: dataItem({ 'appointments-list': facts.appointments }, UPDATED),
});

interface PersonFacts {
  officer: Officer;
  sex: JsonObject;
  dob: string;
  /** Undefined for a foreigner: regadd does not apply to them. */
  regadd?: SgAddress;
  email: string;
  mobile: string;
  /** Undefined for citizens and PRs: passtype does not apply to them. */
  passtype?: JsonObject;
}

const personData = (facts: PersonFacts): Record<PersonAttribute, JsonObject> => ({
  uinfin: dataItem(value(facts.officer.uinfin), UPDATED),
  name: dataItem(value(facts.officer.name), UPDATED),
  sex: dataItem(facts.sex, UPDATED),
  nationality: dataItem(facts.officer.nationality, UPDATED),
  dob: dataItem(value(facts.dob), UPDATED),
  regadd: facts.regadd
    ? dataItem(sgAddress(facts.regadd), UPDATED)
    : notApplicable(BLANK_SG_ADDRESS, UPDATED),
  email: dataItem(value(facts.email), UPDATED, '2'),
  mobileno: dataItem({ prefix: value('+'), areacode: value('65'), nbr: value(facts.mobile) }, UPDATED, '2'),
  passtype: facts.passtype ? dataItem(facts.passtype, UPDATED) : notApplicable(BLANK_CODE, UPDATED),
});

const persona = (entity: EntityFacts, person: PersonFacts): MyinfoBizPersona => ({
  subject: `${entity.uen}_${person.officer.uinfin}`,
  uen: entity.uen,
  uinfin: person.officer.uinfin,
  entityName: entity.name,
  officerName: person.officer.name,
  entity: entityData(entity),
  person: personData(person),
});

const tanHengHuat: Officer = { uinfin: 'S9812381D', name: 'TAN HENG HUAT', nationality: SINGAPOREAN };
const limYongXiang: Officer = {
  uinfin: 'S9812379B',
  name: 'LIM YONG XIANG',
  nationality: coded('GB', 'BRITISH'),
};
const alfonsoCruz: Officer = {
  uinfin: 'G1612348Q',
  name: 'ALFONSO CRUZ',
  nationality: coded('AU', 'AUSTRALIAN'),
};
const nurAisyah: Officer = { uinfin: 'S9912374E', name: 'NUR AISYAH BINTE RAHMAT', nationality: SINGAPOREAN };
const ngKokWah: Officer = { uinfin: 'S6005053H', name: 'NG KOK WAH', nationality: SINGAPOREAN };

const DIRECTOR = coded('DIR', 'Director');
const SECRETARY = coded('SEC', 'Secretary');
const PARTNER = coded('PTR', 'Partner');
const MANAGER = coded('MGR', 'Manager');
const SOLE_PROPRIETOR = coded('OWN', 'Sole-Proprietor');
const FEMALE = coded('F', 'FEMALE');
const MALE = coded('M', 'MALE');

export const MYINFOBIZ_PERSONAS: readonly MyinfoBizPersona[] = [
  persona(
    {
      uen: '201912345K',
      name: 'LIONCITY SOFTWARE PTE. LTD.',
      type: coded('LC', 'Local Company'),
      status: 'Live Company',
      registered: '2019-04-12',
      primaryActivity: coded(
        '62011',
        'DEVELOPMENT OF SOFTWARE AND APPLICATIONS (EXCEPT GAMES AND CYBERSECURITY)',
      ),
      secondaryActivity: coded('62021', 'IT CONSULTANCY (EXCEPT CYBERSECURITY)'),
      address: {
        block: '71',
        building: 'BLOCK71',
        floor: '02',
        unit: '18',
        street: 'AYER RAJAH CRESCENT',
        postal: '139951',
      },
      appointments: [
        appointment(tanHengHuat, DIRECTOR, '2019-04-12'),
        appointment(limYongXiang, SECRETARY, '2019-05-02'),
      ],
    },
    {
      officer: tanHengHuat,
      sex: FEMALE,
      dob: '1988-06-06',
      regadd: {
        block: '102',
        building: '',
        floor: '08',
        unit: '34',
        street: 'BEDOK NORTH AVENUE 4',
        postal: '460102',
      },
      email: 'tan.henghuat@lioncity.example.com',
      mobile: '91234567',
    },
  ),
  persona(
    {
      uen: 'T17LL0456C',
      name: 'KAMPONG GLAM DESIGN STUDIO LLP',
      type: coded('LL', 'Limited Liability Partnership'),
      status: 'Live',
      registered: '2017-08-21',
      primaryActivity: coded('71111', 'ARCHITECTURAL SERVICES'),
      secondaryActivity: BLANK_CODE,
      address: {
        block: '1',
        building: 'HIGH STREET CENTRE',
        floor: '10',
        unit: '05',
        street: 'NORTH BRIDGE ROAD',
        postal: '179094',
      },
      appointments: [
        appointment(alfonsoCruz, PARTNER, '2017-08-21'),
        appointment(alfonsoCruz, MANAGER, '2017-08-21'),
        appointment(nurAisyah, PARTNER, '2018-01-15'),
      ],
    },
    {
      officer: alfonsoCruz,
      sex: MALE,
      dob: '1992-02-01',
      email: 'alfonso.cruz@kgdesign.example.com',
      mobile: '82345678',
      passtype: coded('P1Pass', 'Employment Pass'),
    },
  ),
  persona(
    {
      uen: '53412345D',
      name: 'HENG HENG KOPI TRADING',
      type: coded('BN', 'Business'),
      constitution: coded('S', 'Sole-Proprietor'),
      status: 'Registered',
      registered: '2009-03-02',
      primaryActivity: coded('56111', 'RESTAURANTS'),
      secondaryActivity: BLANK_CODE,
      address: {
        block: '456',
        building: '',
        floor: '01',
        unit: '1234',
        street: 'ANG MO KIO AVENUE 10',
        postal: '560456',
      },
      appointments: [appointment(ngKokWah, SOLE_PROPRIETOR, '2009-03-02')],
    },
    {
      officer: ngKokWah,
      sex: MALE,
      dob: '1960-09-10',
      regadd: {
        block: '289C',
        building: '',
        floor: '09',
        unit: '123',
        street: 'BUKIT BATOK STREET 25',
        postal: '652289',
      },
      email: 'kokwah.ng@hengheng.example.com',
      mobile: '98765432',
    },
  ),
];

export const findPersona = (uen: string, uinfin: string): MyinfoBizPersona | undefined =>
  MYINFOBIZ_PERSONAS.find((p) => p.uen === uen && p.uinfin === uinfin);

export const personaBySubject = (subject: string): MyinfoBizPersona | undefined =>
  MYINFOBIZ_PERSONAS.find((p) => p.subject === subject);
