/**
 * The SG-Verify attributes this simulator can share (a subset of the spec's OAuth2 scope list).
 * A real partner is onboarded with a fixed list; the simulator grants every token all of these
 * and lets the person call's `attributes` parameter pick among them.
 */
export const SGVERIFY_ATTRIBUTES = [
  'uinfin',
  'partialuinfin',
  'name',
  'sex',
  'nationality',
  'dob',
  'mobileno',
  'email',
  'regadd',
  'passtype',
  'residentialstatus',
] as const;

export type SgVerifyAttribute = (typeof SGVERIFY_ATTRIBUTES)[number];

export const isSgVerifyAttribute = (name: string): name is SgVerifyAttribute =>
  (SGVERIFY_ATTRIBUTES as readonly string[]).includes(name);
