export type { BackoffOptions } from './backoff.ts';
export { createSecpassClient, type SecpassClient, type SecpassClientOptions } from './client.ts';
export {
  type DocumentedErrorCode,
  SECPASS_ERROR_CODES,
  SecpassApiError,
  type SecpassErrorCode,
  SecpassTokenError,
  SecpassWaitTimeoutError,
  type TokenRefusal,
} from './errors.ts';
export {
  type CpfhubAccountAmounts,
  type CpfhubContribution,
  type CpfhubContributions,
  type CpfhubGrant,
  isMyinfoV5,
  type LoginTokenClaims,
  type MyinfoAddress,
  type MyinfoAttribute,
  type MyinfoBizAppointment,
  type MyinfoBizEntity,
  type MyinfoBusinessPayload,
  type MyinfoCode,
  type MyinfoCpfBalances,
  type MyinfoItemMetadata,
  type MyinfoPayload,
  type MyinfoPerson,
  type MyinfoPhone,
  type MyinfoSgAddressFields,
  type MyinfoSource,
  type MyinfoUnformattedAddressFields,
  type MyinfoV5UserInfo,
  type MyinfoValue,
  myinfoPersonOf,
  type SgVerifyPerson,
  type VerifiedLogin,
} from './payloads.ts';
export type { CpfhubCalls, CpfhubQuery, CpfhubRoutes } from './routes/cpfhub.ts';
export type { DataProductRoutes } from './routes/data-products.ts';
export type {
  QrRequest,
  SgVerifyQr,
  SgVerifyResult,
  SgVerifyRoutes,
  WaitOptions,
} from './routes/sgverify.ts';
export type { SingpassLogin, SingpassRoutes } from './routes/singpass.ts';
export {
  createTokenChecks,
  type OpenedDataToken,
  type TokenBinding,
  type TokenCheckOptions,
  type TokenChecks,
} from './tokens.ts';
