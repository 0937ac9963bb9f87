import { CfnOutput, Duration, RemovalPolicy, SecretValue, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { Config } from '../shared/config/env.ts';
import { TABLE_KEYS } from '../shared/store/table.ts';
import { acknowledge } from './constructs/acknowledge.ts';
import { HandlerFunction } from './constructs/handler-function.ts';
import { SecpassApi } from './constructs/secpass-api.ts';
import { FUNCTION_NAMES, type FunctionName } from './routes.ts';

/** Myinfo's test environment: what a deployment talks to until `-c myinfoBaseUrl=…` says otherwise. */
export const DEFAULT_MYINFO_BASE_URL = 'https://test.api.myinfo.gov.sg/com/v3';

/** Myinfo Business v2 in Myinfo's test environment. */
export const DEFAULT_MYINFOBIZ_BASE_URL = 'https://test.api.myinfo.gov.sg/biz/v2';

/** SG-Verify's APIs in the test environment, and what its QR codes open. */
export const DEFAULT_SGVERIFY_API_BASE_URL = 'https://test.api.myinfo.gov.sg/sgverify/v2';
export const DEFAULT_SGVERIFY_QR_BASE_URL = 'https://app.singpass.gov.sg/sgverify';

/** Singpass's staging discovery document, until `-c singpassDiscoveryUrl=…` says otherwise. */
export const DEFAULT_SINGPASS_DISCOVERY_URL =
  'https://stg-id.singpass.gov.sg/.well-known/openid-configuration';

export interface SecpassStackProps extends StackProps {
  /** Myinfo v3 base URL (authorise, token and person hang off it); must be https. */
  myinfoBaseUrl?: string;
  /** Myinfo Business v2 base URL; must be https. */
  myinfoBizBaseUrl?: string;
  /** SG-Verify token/person API base and QR base; must be https. */
  sgverifyApiBaseUrl?: string;
  sgverifyQrBaseUrl?: string;
  /** Singpass's OpenID discovery document; must be https. */
  singpassDiscoveryUrl?: string;
}

type SecretName = 'signing' | 'myinfo' | 'myinfobiz' | 'singpass' | 'sgverify';

/** Which table actions and secrets each function may use: nothing more is granted. */
export const ACCESS: Record<FunctionName, { table: readonly string[]; secrets: readonly SecretName[] }> = {
  authorizer: { table: ['dynamodb:GetItem'], secrets: [] },
  'authorise-init': {
    table: ['dynamodb:GetItem', 'dynamodb:PutItem'],
    secrets: ['myinfo', 'myinfobiz', 'singpass', 'sgverify'],
  },
  'token-exchange': { table: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], secrets: ['singpass', 'signing'] },
  'person-fetch': {
    table: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:DeleteItem'],
    secrets: ['myinfo', 'myinfobiz', 'signing'],
  },
  'sgverify-callback': {
    table: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem'],
    secrets: ['sgverify', 'signing'],
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
    const myinfoBaseUrl = httpsUrl('myinfoBaseUrl', props.myinfoBaseUrl ?? DEFAULT_MYINFO_BASE_URL);
    const myinfoBizBaseUrl = httpsUrl(
      'myinfoBizBaseUrl',
      props.myinfoBizBaseUrl ?? DEFAULT_MYINFOBIZ_BASE_URL,
    );
    const sgverifyApiBaseUrl = httpsUrl(
      'sgverifyApiBaseUrl',
      props.sgverifyApiBaseUrl ?? DEFAULT_SGVERIFY_API_BASE_URL,
    );
    const sgverifyQrBaseUrl = httpsUrl(
      'sgverifyQrBaseUrl',
      props.sgverifyQrBaseUrl ?? DEFAULT_SGVERIFY_QR_BASE_URL,
    );
    const singpassDiscoveryUrl = httpsUrl(
      'singpassDiscoveryUrl',
      props.singpassDiscoveryUrl ?? DEFAULT_SINGPASS_DISCOVERY_URL,
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
    };

    this.api = new SecpassApi(this, 'Api');

    const environment = {
      SECPASS_TABLE: this.table.tableName,
      // ARNs, not names: unambiguous for GetSecretValue and exactly what the grants name.
      SECPASS_SIGNING_SECRET_ID: this.secrets.signing.secretArn,
      MYINFO_SECRET_ID: this.secrets.myinfo.secretArn,
      MYINFO_BASE_URL: myinfoBaseUrl,
      MYINFOBIZ_SECRET_ID: this.secrets.myinfobiz.secretArn,
      MYINFOBIZ_BASE_URL: myinfoBizBaseUrl,
      SGVERIFY_SECRET_ID: this.secrets.sgverify.secretArn,
      SGVERIFY_API_BASE_URL: sgverifyApiBaseUrl,
      SGVERIFY_QR_BASE_URL: sgverifyQrBaseUrl,
      SINGPASS_SECRET_ID: this.secrets.singpass.secretArn,
      SINGPASS_DISCOVERY_URL: singpassDiscoveryUrl,
      SECPASS_ISSUER: this.api.baseUrl,
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
