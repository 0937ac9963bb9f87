/**
 * Myinfo's data-item shapes (Myinfo v3 spec, "Understanding the Data Structure"), which Myinfo
 * Business v2 uses for both halves of its payload: every top-level item carries classification,
 * source and lastupdated; a property holds either `value` or `code` + `desc`.
 */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | JsonObject;
export type JsonObject = { readonly [key: string]: JsonValue };

export const ENTITY_ATTRIBUTES = ['basic-profile', 'addresses', 'appointments'] as const;
export const PERSON_ATTRIBUTES = [
  'uinfin',
  'name',
  'sex',
  'nationality',
  'dob',
  'regadd',
  'email',
  'mobileno',
  'passtype',
] as const;

export type EntityAttribute = (typeof ENTITY_ATTRIBUTES)[number];
export type PersonAttribute = (typeof PERSON_ATTRIBUTES)[number];
export type KnownAttribute = EntityAttribute | PersonAttribute;

export const isEntityAttribute = (name: string): name is EntityAttribute =>
  (ENTITY_ATTRIBUTES as readonly string[]).includes(name);
export const isPersonAttribute = (name: string): name is PersonAttribute =>
  (PERSON_ATTRIBUTES as readonly string[]).includes(name);
export const isKnownAttribute = (name: string): name is KnownAttribute =>
  isEntityAttribute(name) || isPersonAttribute(name);

/** Where a data item came from; "3" means the item does not apply to this person or entity. */
export type Source = '1' | '2' | '3' | '4';

export const value = (text: string): JsonObject => ({ value: text });
export const coded = (code: string, desc: string): JsonObject => ({ code, desc });

export const dataItem = (properties: JsonObject, lastupdated: string, source: Source = '1'): JsonObject => ({
  lastupdated,
  source,
  classification: 'C',
  ...properties,
});

export interface SgAddress {
  block: string;
  building: string;
  floor: string;
  unit: string;
  street: string;
  postal: string;
}

export const sgAddress = (address: SgAddress): JsonObject => ({
  type: 'SG',
  block: value(address.block),
  building: value(address.building),
  floor: value(address.floor),
  unit: value(address.unit),
  street: value(address.street),
  postal: value(address.postal),
  country: coded('SG', 'SINGAPORE'),
});

/**
 * The "not applicable" form: the item's usual properties left blank, source "3", so a reader
 * that ignores source and reads fields gets empty strings, as with the real service.
 */
export const notApplicable = (blankProperties: JsonObject, lastupdated: string): JsonObject =>
  dataItem(blankProperties, lastupdated, '3');

export const BLANK_SG_ADDRESS: JsonObject = {
  ...sgAddress({ block: '', building: '', floor: '', unit: '', street: '', postal: '' }),
  country: coded('', ''),
};
export const BLANK_CODE: JsonObject = coded('', '');
