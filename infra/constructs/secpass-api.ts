import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  AUTHORIZER_CACHE_SECONDS,
  type FunctionName,
  GATEWAY_RESPONSES,
  type GatewayAnswer,
  ROUTES,
  STAGE_NAME,
} from '../routes.ts';
import { acknowledge } from './acknowledge.ts';
import type { LogSettings } from './handler-function.ts';

const field = apigateway.AccessLogField;

/**
 * API Gateway's standard JSON access-log fields, plus which app called (the authorizer's context
 * names it; `-` on public routes) and what WAF decided, so a refusal can be traced to its app.
 */
export const ACCESS_LOG_FIELDS = {
  requestId: field.contextRequestId(),
  ip: field.contextIdentitySourceIp(),
  user: field.contextIdentityUser(),
  caller: field.contextIdentityCaller(),
  requestTime: field.contextRequestTime(),
  httpMethod: field.contextHttpMethod(),
  resourcePath: field.contextResourcePath(),
  status: field.contextStatus(),
  protocol: field.contextProtocol(),
  responseLength: field.contextResponseLength(),
  appId: field.contextAuthorizer('appId'),
  wafResponseCode: field.contextWafResponseCode(),
};
const ACCESS_LOG_FORMAT = apigateway.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS));

export interface SecpassApiProps {
  name: string;
  logs: LogSettings;
  customDomain?: { name: string; certificateArn: string };
}

/**
 * The REST API. Built in two steps because the functions need the API's base URL (their token
 * issuer) before the routes can point at the functions.
 */
export class SecpassApi extends Construct {
  readonly restApi: apigateway.RestApi;
  /**
   * `https://<id>.execute-api.<region>.<suffix>/v1`, built from the API id rather than `restApi.url`:
   * the URL names the stage, the stage the deployment, the deployment the methods and the methods
   * the functions, so a function reading `restApi.url` would close a dependency cycle.
   */
  readonly baseUrl: string;

  constructor(scope: Construct, id: string, props: SecpassApiProps) {
    super(scope, id);
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      ...props.logs,
      // Operational records only (no query strings or bodies); they need not outlive the stack.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.restApi = new apigateway.RestApi(this, 'RestApi', {
      restApiName: props.name,
      // Usage plans meter and throttle per app: the authorizer names the app's API Gateway key.
      apiKeySourceType: apigateway.ApiKeySourceType.AUTHORIZER,
      description: 'Secpass: Singpass, Myinfo and friends behind an API key',
      // Execution logs (errors only, no payloads) need API Gateway's account-level logging role.
      cloudWatchRole: true,
      // Other APIs in the account share this role; deleting it with our stack would break their logs.
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: STAGE_NAME,
        tracingEnabled: true,
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        throttlingRateLimit: 200,
        throttlingBurstLimit: 400,
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        accessLogFormat: ACCESS_LOG_FORMAT,
      },
    });
    const { restApiId } = this.restApi;
    const stack = Stack.of(this);
    this.baseUrl = `https://${restApiId}.execute-api.${stack.region}.${stack.urlSuffix}/${STAGE_NAME}`;
    if (props.customDomain) {
      // The execute-api URL stays the issuer; the custom name is another door to the same stage.
      this.restApi.addDomainName('CustomDomain', {
        domainName: props.customDomain.name,
        certificate: acm.Certificate.fromCertificateArn(
          this,
          'Certificate',
          props.customDomain.certificateArn,
        ),
        securityPolicy: apigateway.SecurityPolicy.TLS_1_2,
        basePath: STAGE_NAME,
      });
    }

    // API Gateway's own refusals speak the API's JSON error format too (see GATEWAY_RESPONSES).
    for (const { types, answer } of GATEWAY_RESPONSES) {
      for (const type of types) this.answer(type, answer);
    }

    acknowledge(
      this.restApi,
      'AwsSolutions-APIG2',
      'The route table declares no parameters or bodies; handlers validate input identically on AWS and locally.',
    );
    acknowledge(
      this.restApi,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      "API Gateway's account-level logging role needs exactly the AWS-managed push-to-CloudWatch policy.",
    );
  }

  /** Adds every route of the shared table, private ones behind the API-key authorizer. */
  serve(functions: Record<FunctionName, lambda.IFunction>): void {
    const authorizer = new apigateway.RequestAuthorizer(this, 'ApiKeyAuthorizer', {
      handler: functions.authorizer,
      identitySources: [apigateway.IdentitySource.header('Authorization')],
      resultsCacheTtl: Duration.seconds(AUTHORIZER_CACHE_SECONDS),
    });
    for (const route of ROUTES) {
      const isPrivate = route.auth === 'apiKey';
      const method = this.restApi.root
        .resourceForPath(route.path)
        .addMethod(route.method, new apigateway.LambdaIntegration(functions[route.function]), {
          authorizer: isPrivate ? authorizer : undefined,
          authorizationType: isPrivate
            ? apigateway.AuthorizationType.CUSTOM
            : apigateway.AuthorizationType.NONE,
          apiKeyRequired: isPrivate,
        });
      if (isPrivate) {
        acknowledge(
          method,
          'AwsSolutions-COG4',
          'Apps authenticate with API keys through the Lambda authorizer, not as Cognito users.',
        );
      } else {
        const reason = `Public by design (${route.path}): anyone must be able to fetch it without a key.`;
        acknowledge(method, 'AwsSolutions-APIG4', reason);
        acknowledge(method, 'AwsSolutions-COG4', reason);
      }
    }
  }

  private answer(type: string, answer: GatewayAnswer): void {
    this.restApi.addGatewayResponse(type, {
      type: apigateway.ResponseType.of(type),
      statusCode: answer.statusCode === undefined ? undefined : String(answer.statusCode),
      responseHeaders: { 'Content-Type': "'application/json'" },
      templates: { 'application/json': JSON.stringify(answer.body) },
    });
  }
}
