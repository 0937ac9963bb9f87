/**
 * The rules of the AWS managed rule groups we use, by name, as AWS documents them. Each one that
 * blocks is overridden to block with our JSON answer (WAF gives a managed rule's block no body of
 * ours otherwise); WAF ignores an override naming a rule the group does not have, and a rule AWS
 * adds later blocks with WAF's plain 403 until it is listed here.
 */
export const COMMON_RULE_SET = 'AWSManagedRulesCommonRuleSet';
export const KNOWN_BAD_INPUTS_RULE_SET = 'AWSManagedRulesKnownBadInputsRuleSet';

/** The common rule set's rules that we let through, counted: see edge-firewall.ts. */
export const COUNTED_COMMON_RULES = {
  /** Server-to-server clients (an app's HTTP library, SG-Verify) need not send a User-Agent. */
  noUserAgent: 'NoUserAgent_HEADER',
  /** 8 KB is below the CPFHub proxy's 256 KB: enforced by our own rule, outside `/cpfhub/` only. */
  bodySize: 'SizeRestrictions_BODY',
} as const;

/** The label the body-size rule leaves on a request it counted. */
export const BODY_SIZE_LABEL = 'awswaf:managed:aws:core-rule-set:SizeRestrictions_Body';

export const BLOCKING_COMMON_RULES = [
  'UserAgent_BadBots_HEADER',
  'SizeRestrictions_QUERYSTRING',
  'SizeRestrictions_Cookie_HEADER',
  'SizeRestrictions_URIPATH',
  'EC2MetaDataSSRF_BODY',
  'EC2MetaDataSSRF_COOKIE',
  'EC2MetaDataSSRF_URIPATH',
  'EC2MetaDataSSRF_QUERYARGUMENTS',
  'GenericLFI_QUERYARGUMENTS',
  'GenericLFI_URIPATH',
  'GenericLFI_BODY',
  'RestrictedExtensions_URIPATH',
  'RestrictedExtensions_QUERYARGUMENTS',
  'GenericRFI_QUERYARGUMENTS',
  'GenericRFI_BODY',
  'GenericRFI_URIPATH',
  'CrossSiteScripting_COOKIE',
  'CrossSiteScripting_QUERYARGUMENTS',
  'CrossSiteScripting_BODY',
  'CrossSiteScripting_URIPATH',
] as const;

export const BLOCKING_KNOWN_BAD_INPUTS_RULES = [
  'JavaDeserializationRCE_HEADER',
  'JavaDeserializationRCE_BODY',
  'JavaDeserializationRCE_URIPATH',
  'JavaDeserializationRCE_QUERYSTRING',
  'Host_localhost_HEADER',
  'PROPFIND_METHOD',
  'ExploitablePaths_URIPATH',
  'Log4JRCE_HEADER',
  'Log4JRCE_QUERYSTRING',
  'Log4JRCE_BODY',
  'Log4JRCE_URIPATH',
] as const;
