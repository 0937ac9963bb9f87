/**
 * The scopes this simulator knows: the ones Secpass forwards. The spec names others as examples
 * (`user:profile:read`, `employer:data:write`) without saying what they open, so they are left
 * out rather than invented.
 */
export const CPFHUB_SCOPES = [
  'cpf_contribution:read',
  'cpf_contribution:write',
  'cpf_statement:read',
] as const;

export type CpfhubScope = (typeof CPFHUB_SCOPES)[number];

export const isCpfhubScope = (name: string): name is CpfhubScope =>
  (CPFHUB_SCOPES as readonly string[]).includes(name);

export const SCOPE_DESCRIPTIONS: Readonly<Record<CpfhubScope, string>> = {
  'cpf_contribution:read': 'Read your monthly CPF contributions',
  'cpf_contribution:write': 'Submit CPF contributions on your behalf',
  'cpf_statement:read': 'Read your annual CPF statements and account balances',
};

/**
 * RFC 6749 §3.3: space-delimited, order and repetition carry no meaning. Undefined when the list
 * is empty, has an empty entry (two spaces) or names a scope the simulator does not know.
 */
export const parseScope = (text: string): CpfhubScope[] | undefined => {
  const names = text.split(' ');
  if (!names.every(isCpfhubScope)) return undefined;
  return [...new Set(names)];
};

export const formatScope = (scopes: readonly string[]): string => scopes.join(' ');
