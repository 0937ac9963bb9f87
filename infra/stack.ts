import { CfnOutput, Duration, RemovalPolicy, SecretValue, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { UpstreamProfile } from '../shared/apps/app-record.ts';
import type { Config } from '../shared/config/env.ts';
import { TABLE_KEYS } from '../shared/store/table.ts';
import { acknowledge } from './constructs/acknowledge.ts';
import { HandlerFunction } from './constructs/handler-function.ts';
import { SecpassApi } from './constructs/secpass-api.ts';
import { FUNCTION_NAMES, type FunctionName } from './routes.ts';

/**
 * Every upstream URL a deployment can point elsewhere with `-c <key>=https://…`: the setting it
 * becomes and the default, which is the upstream's test environment.
 */
export const UPSTREAM_URLS = {
  /** Myinfo v3 (authorise, token and person hang off it). */
  myinfoBaseUrl: { setting: 'MYINFO_BASE_URL', fallback: 'https://test.api.myinfo.gov.sg/com/v3' },
  myinfoBizBaseUrl: { setting: 'MYINFOBIZ_BASE_URL', fallback: 'https://test.api.myinfo.gov.sg/biz/v2' },
  /** SG-Verify's token and person APIs, and what its QR codes open. */
  sgverifyApiBaseUrl: {
    setting: 'SGVERIFY_API_BASE_URL',
    fallback: 'https://test.api.myinfo.gov.sg/sgverify/v2',
  },
  sgverifyQrBaseUrl: { setting: 'SGVERIFY_QR_BASE_URL', fallback: 'https://app.singpass.gov.sg/sgverify' },
  singpassDiscoveryUrl: {
    setting: 'SINGPASS_DISCOVERY_URL',
    fallback: 'https://stg-id.singpass.gov.sg/.well-known/openid-configuration',
  },
  /** Singpass's FAPI 2.0 issuer (staging), for apps whose profile is `fapi2`. */
  singpassFapiIssuer: { setting: 'SINGPASS_FAPI_ISSUER', fallback: 'https://stg-id.singpass.gov.sg/fapi' },
  /** CPFHub's API (the spec's base) and its OAuth endpoints (the spec names no host for them). */
  cpfhubApiBaseUrl: { setting: 'CPFHUB_API_BASE_URL', fallback: 'https://api.cpfhub.sg/v1' },
  cpfhubOAuthBaseUrl: { setting: 'CPFHUB_OAUTH_BASE_URL', fallback: 'https://api.cpfhub.sg/oauth' },
} as const satisfies Record<string, { setting: keyof Config; fallback: string }>;
export type UpstreamUrlName = keyof typeof UPSTREAM_URLS;

/** Each upstream URL, when not its default (every one must be https), and the default profile. */
export type SecpassStackProps = StackProps &
  Partial<Record<UpstreamUrlName, string>> & {
    /** The upstream profile of apps whose record names none; `legacy` unless said. */
    upstreamProfile?: UpstreamProfile;
  };

type SecretName = 'signing' | 'myinfo' | 'myinfobiz' | 'singpass' | 'sgverify' | 'cpfhub';

/** Which table actions and secrets each function may use: nothing more is granted. */
export const ACCESS: Record<FunctionName, { table: readonly string[]; secrets: readonly SecretName[] }> = {
  authorizer: { table: ['dynamodb:GetItem'], secrets: [] },
  'authorise-init': {
    table: ['dynamodb:GetItem', 'dynamodb:PutItem'],
    secrets: ['myinfo', 'myinfobiz', 'singpass', 'sgverify', 'cpfhub'],
  },
  'token-exchange': {
    table: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem'],
    secrets: ['singpass', 'signing', 'cpfhub'],
  },
  'person-fetch': {
    table: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:DeleteItem'],
    // Singpass: Myinfo v5 comes through the Singpass FAPI 2.0 relying party.
    secrets: ['myinfo', 'myinfobiz', 'signing', 'singpass'],
  },
  'sgverify-callback': {
    table: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem'],
    secrets: ['sgverify', 'signing'],
  },
  'cpfhub-proxy': {
    table: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
    secrets: ['cpfhub'],
  },
  jwks: { table: [], secrets: ['signing', 'singpass'] },
};

/** The authorizer sits in front of every private call, so it must answer well inside the 29 s. */
const timeoutOf = (name: FunctionName): Duration => Duration.seconds(name === 'authorizer' ? 10 : 29);

const httpsUrl = (name: string, value: string): string => {
  // URL.canParse rather than URL.parse: the latter is missing from early Node 20 releases.
  if (!URL.canParse(value) || new URL(value).protocol !== 'https:') {
    throw new Error(`${name} must be an https URL, got "${value}"`);
  }
  return value;
};

export class SecpassStack extends Stack {
  readonly table: dynamodb.TableV2;
  readonly secrets: Record<SecretName, secretsmanager.Secret>;
  readonly functions: Record<FunctionName, NodejsFunction>;
  readonly api: SecpassApi;

  constructor(scope: Construct, id: string, props: SecpassStackProps = {}) {
    super(scope, id, props);
    const upstreamUrls = Object.fromEntries(
      Object.entries(UPSTREAM_URLS).map(([name, { setting, fallback }]) => [
        setting,
        httpsUrl(name, props[name as UpstreamUrlName] ?? fallback),
      ]),
    );

    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partition, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sort, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: TABLE_KEYS.ttl,
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.secrets = {
      signing: this.placeholderSecret(
        'SigningSecret',
        "Secpass's token-signing keys: { keys: [EC P-256 private JWK, ...] }, current first",
      ),
      myinfo: this.placeholderSecret(
        'MyinfoSecret',
        'Myinfo client id/secret, our RSA private keys and Myinfo certificates',
      ),
      myinfobiz: this.placeholderSecret(
        'MyinfoBizSecret',
        'Myinfo Business client id/secret, our RSA private keys and Myinfo Business certificates',
      ),
      sgverify: this.placeholderSecret(
        'SgVerifySecret',
        'SG-Verify client id/secret, our RSA private keys (QR and request signing) and SG-Verify certificates',
      ),
      singpass: this.placeholderSecret(
        'SingpassSecret',
        'Singpass client id and our relying-party EC keys: { clientId, signingKeys: [JWK], encryptionKeys: [JWK] }',
      ),
      cpfhub: this.placeholderSecret(
        'CpfhubSecret',
        'CPFHub API key, OAuth client id/secret and the AES keys sealing users tokens: { apiKey, clientId, clientSecret, tokenKeys: [{ kid, key }] }',
      ),
    };

    this.api = new SecpassApi(this, 'Api');

    const environment = {
      ...upstreamUrls,
      SECPASS_TABLE: this.table.tableName,
      // ARNs, not names: unambiguous for GetSecretValue and exactly what the grants name.
      SECPASS_SIGNING_SECRET_ID: this.secrets.signing.secretArn,
      MYINFO_SECRET_ID: this.secrets.myinfo.secretArn,
      MYINFOBIZ_SECRET_ID: this.secrets.myinfobiz.secretArn,
      SGVERIFY_SECRET_ID: this.secrets.sgverify.secretArn,
      SINGPASS_SECRET_ID: this.secrets.singpass.secretArn,
      CPFHUB_SECRET_ID: this.secrets.cpfhub.secretArn,
      SECPASS_ISSUER: this.api.baseUrl,
      DEFAULT_UPSTREAM_PROFILE: props.upstreamProfile ?? 'legacy',
    } satisfies Partial<Record<keyof Config, string>>;

    const functions: Partial<Record<FunctionName, NodejsFunction>> = {};
    for (const name of FUNCTION_NAMES) {
      const handler = new HandlerFunction(this, name, { name, environment, timeout: timeoutOf(name) });
      const access = ACCESS[name];
      if (access.table.length > 0) this.table.grant(handler.role, ...access.table);
      for (const secret of access.secrets) this.secrets[secret].grantRead(handler.role);
      functions[name] = handler.fn;
    }
    this.functions = functions as Record<FunctionName, NodejsFunction>;
    this.api.serve(this.functions);

    new CfnOutput(this, 'ApiUrl', { value: this.api.restApi.url, description: 'Base URL apps call' });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'SigningSecretName', { value: this.secrets.signing.secretName });
    new CfnOutput(this, 'SigningSecretArn', { value: this.secrets.signing.secretArn });
    new CfnOutput(this, 'MyinfoSecretName', { value: this.secrets.myinfo.secretName });
    new CfnOutput(this, 'MyinfoSecretArn', { value: this.secrets.myinfo.secretArn });
    new CfnOutput(this, 'MyinfoBizSecretName', { value: this.secrets.myinfobiz.secretName });
    new CfnOutput(this, 'MyinfoBizSecretArn', { value: this.secrets.myinfobiz.secretArn });
    new CfnOutput(this, 'SgVerifySecretName', { value: this.secrets.sgverify.secretName });
    new CfnOutput(this, 'SgVerifySecretArn', { value: this.secrets.sgverify.secretArn });
    new CfnOutput(this, 'SingpassSecretName', { value: this.secrets.singpass.secretName });
    new CfnOutput(this, 'SingpassSecretArn', { value: this.secrets.singpass.secretArn });
    new CfnOutput(this, 'CpfhubSecretName', { value: this.secrets.cpfhub.secretName });
    new CfnOutput(this, 'CpfhubSecretArn', { value: this.secrets.cpfhub.secretArn });
  }

  /** Created holding `{}`: the real keys are put after deploy (README), never through CloudFormation. */
  private placeholderSecret(id: string, description: string): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, id, {
      description,
      secretStringValue: SecretValue.unsafePlainText('{}'),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      secret,
      'AwsSolutions-SMG4',
      'Keys rotate by putting a new current key first in the JSON list, not through a rotation Lambda.',
    );
    return secret;
  }
}
