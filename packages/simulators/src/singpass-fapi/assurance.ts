/**
 * The assurance a simulated login reaches: Singpass's ID token names it in `acr` and lists the
 * factors used in `amr`. Without `acr_values` a login is two-factor (password and SMS OTP); with
 * them, the first preference is met (Singpass whitelists loa:3, which the simulator does not model).
 */
export const ACR = {
  twoFactor: 'urn:singpass:authentication:loa:2',
  withFace: 'urn:singpass:authentication:loa:3',
} as const;

/** Every level the issuer can report; loa:1 is staging's password-only login. */
export const ACR_VALUES_SUPPORTED = ['urn:singpass:authentication:loa:1', ACR.twoFactor, ACR.withFace];

export interface Assurance {
  acr: string;
  amr: string[];
}

export const assuranceFor = (acrValues: unknown): Assurance => {
  const preferred = typeof acrValues === 'string' ? acrValues.split(' ')[0] : undefined;
  return preferred === ACR.withFace
    ? { acr: ACR.withFace, amr: ['pwd', 'otp-sms', 'face'] }
    : { acr: ACR.twoFactor, amr: ['pwd', 'otp-sms'] };
};
