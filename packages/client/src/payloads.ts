/**
 * What the opened tokens hold. The data payloads are the upstream's own JSON, byte for byte as it
 * signed them, so these types follow the upstream specifications (Myinfo v3 "Understanding the
 * Data Structure", Myinfo v5 userinfo, Myinfo Business v2, SG-Verify v2). Every object keeps a
 * `Record<string, unknown>` fallback: a service may grow attributes and an app may ask for ones
 * typed here only loosely.
 */

/** 1 government-verified (lock it on your form), 2 user-provided, 3 not applicable (ignore the item), 4 verified by Singpass. */
export type MyinfoSource = '1' | '2' | '3' | '4';

/** A data property holding a plain value: `{ "value": "TAN HENG HUAT" }`. */
export interface MyinfoValue<T extends string | number | boolean = string> {
  value: T;
}

/** A data property holding a code and its description: `{ "code": "SG", "desc": "SINGAPORE" }`. */
export interface MyinfoCode {
  code: string;
  desc: string;
}

/** What every top-level data item carries. `unavailable: true` means "display Not Available". */
export interface MyinfoItemMetadata {
  source: MyinfoSource | (string & {});
  classification: 'C' | (string & {});
  lastupdated: string;
  unavailable?: boolean;
}

/** A simple data item: `value`, or `code` + `desc` (never both). */
export interface MyinfoAttribute extends MyinfoItemMetadata {
  value?: string | number | boolean;
  code?: string;
  desc?: string;
}

export interface MyinfoSgAddressFields {
  type: 'SG';
  block: MyinfoValue;
  building: MyinfoValue;
  floor: MyinfoValue;
  unit: MyinfoValue;
  street: MyinfoValue;
  postal: MyinfoValue;
  country: MyinfoCode;
}

export interface MyinfoUnformattedAddressFields {
  type: 'Unformatted';
  line1: MyinfoValue;
  line2: MyinfoValue;
  country?: MyinfoCode;
}

/** `regadd`, `mailadd`, `billadd`: `type` tells a Singapore address from a foreign one. */
export type MyinfoAddress = MyinfoItemMetadata & (MyinfoSgAddressFields | MyinfoUnformattedAddressFields);

/** `mobileno`, `homeno`. */
export interface MyinfoPhone extends MyinfoItemMetadata {
  prefix: MyinfoValue;
  areacode: MyinfoValue;
  nbr: MyinfoValue;
}

/** `cpfbalances` (Myinfo v5 can return one account alone, e.g. scope `cpfbalances.oa`). */
export interface MyinfoCpfBalances extends MyinfoItemMetadata {
  oa?: MyinfoValue<number>;
  sa?: MyinfoValue<number>;
  ma?: MyinfoValue<number>;
  ra?: MyinfoValue<number>;
}

/** A Myinfo v3 person (also Myinfo v5's `person_info` and Myinfo Business's `person`). */
export interface MyinfoPerson {
  uinfin?: MyinfoAttribute;
  name?: MyinfoAttribute;
  aliasname?: MyinfoAttribute;
  hanyupinyinname?: MyinfoAttribute;
  marriedname?: MyinfoAttribute;
  sex?: MyinfoAttribute;
  race?: MyinfoAttribute;
  dialect?: MyinfoAttribute;
  nationality?: MyinfoAttribute;
  dob?: MyinfoAttribute;
  birthcountry?: MyinfoAttribute;
  residentialstatus?: MyinfoAttribute;
  passtype?: MyinfoAttribute;
  passstatus?: MyinfoAttribute;
  passexpirydate?: MyinfoAttribute;
  email?: MyinfoAttribute;
  mobileno?: MyinfoPhone;
  homeno?: MyinfoPhone;
  regadd?: MyinfoAddress;
  mailadd?: MyinfoAddress;
  billadd?: MyinfoAddress;
  housingtype?: MyinfoAttribute;
  hdbtype?: MyinfoAttribute;
  marital?: MyinfoAttribute;
  occupation?: MyinfoAttribute;
  employment?: MyinfoAttribute;
  cpfbalances?: MyinfoCpfBalances;
  [attribute: string]: unknown;
}

/** Myinfo v5 (Singpass FAPI 2.0): the verified userinfo claims, the person under `person_info`. */
export interface MyinfoV5UserInfo {
  /** The person's Singpass UUID. */
  sub: string;
  /** Singpass's issuer, e.g. `https://id.singpass.gov.sg/fapi`. */
  iss: string;
  /** The Myinfo app's client id. */
  aud: string | string[];
  iat: number;
  person_info: MyinfoPerson;
  [claim: string]: unknown;
}

/** What `myinfo.token()` opens: v3's person (legacy apps) or v5's userinfo (apps on FAPI 2.0). */
export type MyinfoPayload = MyinfoPerson | MyinfoV5UserInfo;

export const isMyinfoV5 = (payload: MyinfoPayload): payload is MyinfoV5UserInfo =>
  typeof payload.person_info === 'object' && payload.person_info !== null;

/** The person, whichever profile the app is on. */
export const myinfoPersonOf = (payload: MyinfoPayload): MyinfoPerson =>
  isMyinfoV5(payload) ? payload.person_info : payload;

/** An officer or partner in `appointments-list`. */
export interface MyinfoBizAppointment {
  category: MyinfoCode;
  position: MyinfoCode;
  'appointment-date': MyinfoValue;
  'person-reference'?: {
    idno: MyinfoValue;
    idtype: MyinfoCode;
    nationality?: MyinfoCode;
    'person-name': MyinfoValue;
    [property: string]: unknown;
  };
  'entity-reference'?: {
    uen: MyinfoValue;
    'entity-name': MyinfoValue;
    [property: string]: unknown;
  };
  [property: string]: unknown;
}

export interface MyinfoBizEntity {
  'basic-profile'?: MyinfoItemMetadata & {
    uen: MyinfoValue;
    'entity-name': MyinfoValue;
    'entity-type': MyinfoCode;
    'entity-status': MyinfoValue;
    'registration-date'?: MyinfoValue;
    'primary-activity'?: MyinfoCode;
    'secondary-activity'?: MyinfoCode;
    'business-constitution'?: MyinfoCode;
    [property: string]: unknown;
  };
  addresses?: MyinfoItemMetadata & {
    'addresses-list': (MyinfoSgAddressFields & { standard?: MyinfoCode; [property: string]: unknown })[];
  };
  appointments?: MyinfoItemMetadata & { 'appointments-list': MyinfoBizAppointment[] };
  [attribute: string]: unknown;
}

/** Myinfo Business v2: the entity and the officer who consented, as received. */
export interface MyinfoBusinessPayload {
  entity: MyinfoBizEntity;
  person: MyinfoPerson;
}

/** An SG-Verify visitor: Myinfo's data items, plus `partialuinfin` (e.g. `*****381D`). */
export interface SgVerifyPerson extends MyinfoPerson {
  partialuinfin?: MyinfoAttribute;
}

/** What `cpfhub.grantToken()` opens. Keep `grant_id` server-side: it is a bearer secret of your app's. */
export interface CpfhubGrant {
  iss: string;
  aud: string;
  iat: number;
  grant_id: string;
  /** Space-separated, what the user granted (e.g. `cpf_contribution:read cpf_statement:read`). */
  scope: string;
}

/** The Secpass login token's claims (Singpass Login). It never carries the NRIC/FIN. */
export interface LoginTokenClaims {
  /** `u=<Singpass UUID>`. */
  sub: `u=${string}`;
  iss: string;
  aud: string;
  iat: number;
  exp: number;
}

/** A verified login: the token as received and its claims, with the UUID taken out of `sub`. */
export interface VerifiedLogin {
  claims: LoginTokenClaims;
  /** The person's Singpass UUID (`sub` without its `u=`). */
  uuid: string;
  expiresAt: Date;
}

/** CPFHub's amounts per CPF account, in dollars. */
export interface CpfhubAccountAmounts {
  oa: number;
  sa: number;
  ma: number;
}

/** One member's line in `GET contributions?year=&month=`. */
export interface CpfhubContribution {
  employeeId: string;
  nric: string;
  name: string;
  ordinaryWages: number;
  additionalWages: number;
  employerShare: number;
  employeeShare: number;
  total: number;
  allocation: CpfhubAccountAmounts;
  /** Null until the payment date. */
  paidOn: string | null;
  [field: string]: unknown;
}

/** `GET contributions?year=&month=` through the API key or a user's grant. */
export interface CpfhubContributions {
  year: number;
  month: number;
  employer: { uen: string; name: string };
  contributions: CpfhubContribution[];
  [field: string]: unknown;
}
