/** Every CPFHub scope Secpass knows; an app's record may grant only these. */
export const CPFHUB_SCOPES = [
  'cpf_contribution:read',
  'cpf_contribution:write',
  'cpf_statement:read',
] as const;
export type CpfhubScope = (typeof CPFHUB_SCOPES)[number];
