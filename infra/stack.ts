import {
  CfnOutput,
  Duration,
  RemovalPolicy,
  SecretValue,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { TABLE_KEYS } from '../shared/store/table.ts';
import { HandlerFunction } from './constructs/handler-function.ts';
import {
  AUTHORIZER_CACHE_SECONDS,
  DENIED_RESPONSE,
  FUNCTION_NAMES,
  type FunctionName,
  NOT_FOUND_RESPONSE,
  ROUTES,
} from './routes.ts';

export interface SecpassStackProps extends StackProps {
  myinfoBaseUrl: string;
}

/** Which table actions and secrets each function may use: nothing more is granted. */
const ACCESS: Record<FunctionName, { table: string[]; secrets: ('signing' | 'myinfo')[] }> = {
  authorizer: { table: ['dynamodb:GetItem'], secrets: [] },
  'authorise-init': { table: ['dynamodb:GetItem', 'dynamodb:PutItem'], secrets: ['myinfo'] },
  'person-fetch': { table: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], secrets: ['myinfo', 'signing'] },
  jwks: { table: [], secrets: ['signing'] },
};

const acknowledge = (scope: Construct, id: string, reason: string) =>
  Validations.of(scope).acknowledge({ id, reason });

export class SecpassStack extends Stack {
  constructor(scope: Construct, id: string, props: SecpassStackProps) {
    super(scope, id, props);

    const table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partition, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sort, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: TABLE_KEYS.ttl,
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Created with an empty JSON object; the README shows how to fill them after deploy.
    const secret = (name: string, description: string) => {
      const created = new secretsmanager.Secret(this, name, {
        description,
        secretStringValue: SecretValue.unsafePlainText('{}'),
        removalPolicy: RemovalPolicy.RETAIN,
      });
      acknowledge(
        created,
        'AwsSolutions-SMG4',
        'Keys are rotated by adding a new current key to the JSON list, not by a rotation Lambda.',
      );
      return created;
    };
    const secrets = {
      signing: secret(
        'SigningSecret',
        "Secpass's token-signing keys: { keys: [EC P-256 private JWK, ...] }, current first",
      ),
      myinfo: secret('MyinfoSecret', 'Myinfo client id/secret, our RSA private keys and Myinfo certificates'),
    };

    const api = new apigateway.RestApi(this, 'Api', {
      restApiName: 'secpass',
      description: 'Secpass: Singpass, Myinfo and friends behind an API key',
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.DESTROY,
      deployOptions: {
        stageName: 'v1',
        tracingEnabled: true,
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        throttlingRateLimit: 200,
        throttlingBurstLimit: 400,
        accessLogDestination: new apigateway.LogGroupLogDestination(
          new logs.LogGroup(this, 'AccessLogs', {
            retention: logs.RetentionDays.ONE_MONTH,
            removalPolicy: RemovalPolicy.DESTROY,
          }),
        ),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
      },
    });

    const environment = {
      SECPASS_TABLE: table.tableName,
      SECPASS_SIGNING_SECRET_ID: secrets.signing.secretArn,
      MYINFO_SECRET_ID: secrets.myinfo.secretArn,
      MYINFO_BASE_URL: props.myinfoBaseUrl,
      // Built from the API id, not api.url: the URL depends on the deployment, which depends on us.
      SECPASS_ISSUER: `https://${api.restApiId}.execute-api.${this.region}.${this.urlSuffix}/v1`,
    };
    const functions = Object.fromEntries(
      FUNCTION_NAMES.map((name) => {
        const handler = new HandlerFunction(this, name, {
          name,
          environment,
          timeout: Duration.seconds(name === 'authorizer' ? 10 : 29),
        });
        const access = ACCESS[name];
        if (access.table.length) table.grant(handler.role, ...access.table);
        for (const which of access.secrets) secrets[which].grantRead(handler.role);
        acknowledge(
          handler.role,
          'AwsSolutions-IAM5[Resource::*]',
          'X-Ray trace segments cannot be scoped to a resource (AWS requires "*").',
        );
        return [name, handler.fn];
      }),
    ) as Record<FunctionName, HandlerFunction['fn']>;

    const authorizer = new apigateway.RequestAuthorizer(this, 'ApiKeyAuthorizer', {
      handler: functions.authorizer,
      identitySources: [apigateway.IdentitySource.header('Authorization')],
      resultsCacheTtl: Duration.seconds(AUTHORIZER_CACHE_SECONDS),
    });

    for (const route of ROUTES) {
      const resource = api.root.resourceForPath(route.path);
      const method = resource.addMethod(
        route.method,
        new apigateway.LambdaIntegration(functions[route.function]),
        {
          authorizer: route.auth === 'apiKey' ? authorizer : undefined,
          authorizationType:
            route.auth === 'apiKey' ? apigateway.AuthorizationType.CUSTOM : apigateway.AuthorizationType.NONE,
        },
      );
      if (route.auth === 'public') {
        acknowledge(
          method,
          'AwsSolutions-APIG4',
          'Public by design: published keys that anyone must be able to fetch.',
        );
        acknowledge(
          method,
          'AwsSolutions-COG4',
          'Public by design: published keys that anyone must be able to fetch.',
        );
      } else {
        acknowledge(
          method,
          'AwsSolutions-COG4',
          'Apps authenticate with API keys through the Lambda authorizer, not Cognito users.',
        );
      }
    }

    const gatewayAnswer = (
      id: string,
      type: apigateway.ResponseType,
      answer: typeof DENIED_RESPONSE | typeof NOT_FOUND_RESPONSE,
    ) =>
      api.addGatewayResponse(id, {
        type,
        statusCode: String(answer.statusCode),
        responseHeaders: { 'Content-Type': "'application/json'" },
        templates: { 'application/json': JSON.stringify(answer.body) },
      });
    // A missing Authorization header never reaches the authorizer (UNAUTHORIZED): same 403 as a bad key.
    gatewayAnswer('Unauthorized', apigateway.ResponseType.UNAUTHORIZED, DENIED_RESPONSE);
    gatewayAnswer('AccessDenied', apigateway.ResponseType.ACCESS_DENIED, DENIED_RESPONSE);
    // API Gateway says "Missing Authentication Token" for an unknown path; the API says 404.
    gatewayAnswer('NotFound', apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN, NOT_FOUND_RESPONSE);

    acknowledge(
      api,
      'AwsSolutions-APIG2',
      "Handlers validate every parameter and answer in the API's own JSON error format.",
    );
    acknowledge(
      api,
      'AwsSolutions-APIG3',
      'The WAF web ACL arrives with the production-hardening issue (#6).',
    );
    acknowledge(
      api,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      "API Gateway's account-level logging role uses the AWS-managed push-to-CloudWatch policy.",
    );

    new CfnOutput(this, 'ApiUrl', { value: api.url });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'SigningSecretName', { value: secrets.signing.secretName });
    new CfnOutput(this, 'MyinfoSecretName', { value: secrets.myinfo.secretName });
  }
}
