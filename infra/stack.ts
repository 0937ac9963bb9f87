import {
  Annotations,
  CfnOutput,
  Duration,
  RemovalPolicy,
  SecretValue,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { TABLE_KEYS } from '../shared/adapters/dynamodb/table.ts';
import type { Config } from '../shared/adapters/env.ts';
import { APP_ID_PATTERN, sandboxEnvironment } from '../shared/adapters/sandbox.ts';
import type { UpstreamProfile } from '../shared/apps/app-record.ts';
import { ACCESS, READ_ACTIONS, type SecretName } from './access.ts';
import { CLIENT_IDS, type ClientIdName, clientIdSettings } from './client-ids.ts';
import { reservedConcurrencyOf } from './concurrency.ts';
import { acknowledge } from './constructs/acknowledge.ts';
import { DataKey } from './constructs/data-key.ts';
import { EdgeFirewall } from './constructs/edge-firewall.ts';
import { HandlerFunction } from './constructs/handler-function.ts';
import { Operations } from './constructs/operations.ts';
import { SecpassApi } from './constructs/secpass-api.ts';
import { ENVIRONMENTS, type EnvironmentName, UPSTREAM_URLS, type UpstreamUrlName } from './environments.ts';
import { FUNCTION_NAMES, type FunctionName, timeoutSecondsOf } from './routes.ts';

/** Each upstream URL when not the environment's own (every one must be https), and the rest of the deployment's choices. */
export type SecpassStackProps = StackProps &
  Partial<Record<UpstreamUrlName, string>> &
  /** Each registration's client id (configuration, not secret); see infra/client-ids.ts. */
  Partial<Record<ClientIdName, string>> & {
    /** Upstream environment, log retention and data protection; `test` unless said. */
    environment?: EnvironmentName;
    /** The upstream profile of apps whose record names none; `legacy` unless said. */
    upstreamProfile?: UpstreamProfile;
    /** Serve the API under this name too (the certificate must be in the stack's region). */
    customDomain?: { name: string; certificateArn: string };
    /** Where alarms are mailed, besides their SNS topic. */
    alarmEmail?: string;
    /** Per-function reserved concurrency over the defaults (infra/concurrency.ts). */
    reservedConcurrency?: Partial<Record<FunctionName, number>>;
    /**
     * Sandbox deployments only: the existing app that calls without an Authorization header are
     * served as (the API contract's keyless sandbox instance). Any other environment refuses it.
     */
    sandboxAppId?: string;
  };

// Named one by one (no kms:* wildcards): what DynamoDB asks of a caller of a table under our key.
const KEY_READ_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'];
const KEY_WRITE_ACTIONS = [...KEY_READ_ACTIONS, 'kms:Encrypt', 'kms:GenerateDataKey'];

const httpsUrl = (name: string, value: string): string => {
  // URL.canParse rather than URL.parse: the latter is missing from early Node 20 releases.
  if (!URL.canParse(value) || new URL(value).protocol !== 'https:') {
    throw new Error(`${name} must be an https URL, got "${value}"`);
  }
  return value;
};

export class SecpassStack extends Stack {
  readonly table: dynamodb.Table;
  readonly secrets: Record<SecretName, secretsmanager.Secret>;
  readonly functions: Record<FunctionName, NodejsFunction>;
  readonly api: SecpassApi;
  readonly environmentName: EnvironmentName;
  readonly key: DataKey;
  readonly operations: Operations;
  readonly firewall: EdgeFirewall;
  /** The app keyless calls are served as; undefined when every call needs an API key. */
  readonly sandboxAppId?: string;

  constructor(scope: Construct, id: string, props: SecpassStackProps = {}) {
    super(scope, id, props);
    this.environmentName = props.environment ?? 'test';
    const settings = ENVIRONMENTS[this.environmentName];
    this.sandboxAppId = this.checkedSandboxAppId(props.sandboxAppId, settings.allowsSandboxApp);
    const upstreamUrls = Object.fromEntries(
      Object.entries(UPSTREAM_URLS).map(([name, { setting, url }]) => [
        setting,
        httpsUrl(name, props[name as UpstreamUrlName] ?? url(this.environmentName)),
      ]),
    );
    this.key = new DataKey(this, 'DataKey', { environmentName: this.environmentName });
    const logs = { retention: settings.logRetention, encryptionKey: this.key.key };

    // Table rather than TableV2: TableV2 cannot take a customer-managed key in a region-agnostic stack.
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partition, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sort, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: TABLE_KEYS.ttl,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key.key,
      deletionProtection: settings.deletionProtection,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.secrets = {
      signing: this.placeholderSecret(
        'SigningSecret',
        "Secpass's token-signing keys: { keys: [EC P-256 private JWK, ...] }, current first",
      ),
      publicKeys: this.placeholderSecret(
        'PublicKeysSecret',
        'Public halves only, written by npm run keys: { secpass: [JWK], singpass: [JWK] }; the JWKS routes read nothing else',
      ),
      stateKeys: this.placeholderSecret(
        'StateKeysSecret',
        'AES-256 keys sealing pending flows (DPoP keys, PKCE verifiers): { keys: [{ kid, key (base64) }] }, current first',
      ),
      myinfo: this.placeholderSecret(
        'MyinfoSecret',
        'Myinfo client secret, our RSA private keys and Myinfo certificates',
      ),
      myinfobiz: this.placeholderSecret(
        'MyinfoBizSecret',
        'Myinfo Business client secret, our RSA private keys and Myinfo Business certificates',
      ),
      sgverify: this.placeholderSecret(
        'SgVerifySecret',
        'SG-Verify client secret, our RSA private keys (QR and request signing) and SG-Verify certificates',
      ),
      singpass: this.placeholderSecret(
        'SingpassSecret',
        'Our Singpass relying-party EC keys: { signingKeys: [JWK], encryptionKeys: [JWK], fapi?: {...} }',
      ),
      cpfhub: this.placeholderSecret(
        'CpfhubSecret',
        'CPFHub API key, OAuth client secret and the AES keys sealing users tokens: { apiKey, clientSecret, tokenKeys: [{ kid, key }] }',
      ),
    };

    this.api = new SecpassApi(this, 'Api', {
      name: `secpass-${this.environmentName}`,
      logs,
      customDomain: props.customDomain,
    });

    const environment = {
      ...upstreamUrls,
      SECPASS_TABLE: this.table.tableName,
      // ARNs, not names: unambiguous for GetSecretValue and exactly what the grants name.
      SECPASS_SIGNING_SECRET_ID: this.secrets.signing.secretArn,
      SECPASS_PUBLIC_KEYS_SECRET_ID: this.secrets.publicKeys.secretArn,
      STATE_KEYS_SECRET_ID: this.secrets.stateKeys.secretArn,
      MYINFO_SECRET_ID: this.secrets.myinfo.secretArn,
      MYINFOBIZ_SECRET_ID: this.secrets.myinfobiz.secretArn,
      SGVERIFY_SECRET_ID: this.secrets.sgverify.secretArn,
      SINGPASS_SECRET_ID: this.secrets.singpass.secretArn,
      CPFHUB_SECRET_ID: this.secrets.cpfhub.secretArn,
      SECPASS_ISSUER: this.api.baseUrl,
      DEFAULT_UPSTREAM_PROFILE: props.upstreamProfile ?? 'legacy',
      ...this.clientIds(props),
    } satisfies Partial<Record<keyof Config, string>>;
    const sandbox = this.sandboxAppId ? sandboxEnvironment(this.sandboxAppId) : {};
    const reservedConcurrency = reservedConcurrencyOf(props.reservedConcurrency);

    const functions: Partial<Record<FunctionName, NodejsFunction>> = {};
    for (const name of FUNCTION_NAMES) {
      const handler = new HandlerFunction(this, name, {
        name,
        environment: { ...environment, ...sandbox },
        timeout: Duration.seconds(timeoutSecondsOf(name)),
        reservedConcurrency: reservedConcurrency[name],
        logs,
      });
      const access = ACCESS[name];
      if (access.table.length > 0) {
        this.table.grant(handler.role, ...access.table);
        // Items are encrypted under our key: reading needs Decrypt, writing Encrypt and data keys too.
        const writes = access.table.some((action) => !READ_ACTIONS.has(action));
        this.key.key.grant(handler.role, ...(writes ? KEY_WRITE_ACTIONS : KEY_READ_ACTIONS));
      }
      for (const secret of access.secrets) this.secrets[secret].grantRead(handler.role);
      functions[name] = handler.fn;
    }
    this.functions = functions as Record<FunctionName, NodejsFunction>;
    this.api.serve(this.functions);
    if (this.sandboxAppId) this.letKeylessCallsReachTheAuthorizer();
    this.firewall = new EdgeFirewall(this, 'Firewall', { stage: this.api.restApi.deploymentStage });
    this.operations = new Operations(this, 'Operations', {
      api: this.api.restApi,
      functions: this.functions,
      key: this.key.key,
      alarmEmail: props.alarmEmail,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.restApi.url, description: 'Base URL apps call' });
    new CfnOutput(this, 'RestApiId', {
      value: this.api.restApi.restApiId,
      description: 'For `npm run apps -- create`: each app gets its own usage plan on this API',
    });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    if (this.sandboxAppId) {
      new CfnOutput(this, 'SandboxAppId', {
        value: this.sandboxAppId,
        description: 'Calls without an Authorization header are served as this app',
      });
    }
    new CfnOutput(this, 'SigningSecretName', { value: this.secrets.signing.secretName });
    new CfnOutput(this, 'SigningSecretArn', { value: this.secrets.signing.secretArn });
    new CfnOutput(this, 'PublicKeysSecretName', { value: this.secrets.publicKeys.secretName });
    new CfnOutput(this, 'PublicKeysSecretArn', { value: this.secrets.publicKeys.secretArn });
    new CfnOutput(this, 'StateKeysSecretName', { value: this.secrets.stateKeys.secretName });
    new CfnOutput(this, 'StateKeysSecretArn', { value: this.secrets.stateKeys.secretArn });
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

  /**
   * The client ids given as context, as the variables the functions read. One left out is only
   * needed by its upstream's flows: synth warns, and those flows answer 500 until it is set.
   */
  private clientIds(props: SecpassStackProps) {
    const missing = (Object.keys(CLIENT_IDS) as ClientIdName[]).filter((name) => props[name] === undefined);
    if (missing.length > 0) {
      Annotations.of(this).addWarningV2(
        'secpass:clientIdsMissing',
        `No client id given for ${missing.join(', ')} (-c <name>=<id>): flows of those upstreams fail until one is.`,
      );
    }
    return clientIdSettings(props);
  }

  /**
   * The sandbox app id, refused outside a sandbox deployment: a test or prod stack must never
   * serve a call without its API key. Synth throws rather than warns.
   */
  private checkedSandboxAppId(appId: string | undefined, allowed: boolean): string | undefined {
    if (appId === undefined) return undefined;
    if (!allowed) {
      throw new Error(
        `sandboxAppId is for -c env=sandbox only: a ${this.environmentName} deployment requires an API key on every call`,
      );
    }
    if (!APP_ID_PATTERN.test(appId)) {
      throw new Error(`sandboxAppId must be an app id (app_ and 32 hex digits), got "${appId}"`);
    }
    return appId;
  }

  /**
   * API Gateway answers 401 without calling a REQUEST authorizer whose identity source is missing
   * from the request, and caches its answers by that source. A keyless call must reach the
   * authorizer, so a sandbox's authorizer has no identity source, and therefore no cache: it judges
   * every call (the handlers re-check the app on every call anyway).
   */
  private letKeylessCallsReachTheAuthorizer(): void {
    const authorizer = this.api.node.findChild('ApiKeyAuthorizer').node
      .defaultChild as apigateway.CfnAuthorizer;
    authorizer.identitySource = undefined;
    authorizer.authorizerResultTtlInSeconds = 0;
  }

  /** Created holding `{}`: the real keys are put after deploy (README), never through CloudFormation. */
  private placeholderSecret(id: string, description: string): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, id, {
      description,
      secretStringValue: SecretValue.unsafePlainText('{}'),
      encryptionKey: this.key.key,
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
