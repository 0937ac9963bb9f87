import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage, type Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { bundleFunction } from '../bundling.ts';
import { FUNCTION_MEMORY_MB, type FunctionName } from '../routes.ts';
import { acknowledge } from './acknowledge.ts';

/** Handler entries in the route table are relative to the repository root, wherever cdk runs. */
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The function's code as `bundleFunction` builds it, with local esbuild (never Docker): the same
 * build `npm run bench` measures. NodejsFunction's own bundling writes a single file, and a single
 * file is parsed whole at cold start, providers and all; this one splits at every `import()`.
 */
const bundledCode = (name: FunctionName): lambda.Code =>
  lambda.Code.fromAsset(REPO_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('unused-bundled-locally'),
      // Never run (tryBundle always bundles), but part of the key CDK reuses a bundle by within a
      // synth, which cannot see into tryBundle: without it every function would get the first's.
      command: ['bundle-function', name],
      local: {
        tryBundle: (outputDir) => {
          bundleFunction(name, outputDir);
          return true;
        },
      },
    },
  });

/** How the deployment keeps logs: retention per environment, encrypted under its own key. */
export interface LogSettings {
  retention: logs.RetentionDays;
  encryptionKey: kms.IKey;
}

export interface HandlerFunctionProps {
  name: FunctionName;
  environment: Record<string, string>;
  timeout: Duration;
  /** Its ceiling and its guaranteed share of the account's concurrency (infra/concurrency.ts). */
  reservedConcurrency: number;
  logs: LogSettings;
}

/**
 * One Lambda per job, bundled by local esbuild exactly as `npm run bench` measures it, with its
 * own role and log group so it holds only the permissions it is granted, nothing managed.
 */
export class HandlerFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      ...props.logs,
      // Logs hold no personal data (see DESIGN); keeping them past the stack buys nothing.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Our own role instead of AWSLambdaBasicExecutionRole: it may write to its log group only.
    this.role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(this.role);
    this.fn = new NodejsFunction(this, 'Function', {
      code: bundledCode(props.name),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: FUNCTION_MEMORY_MB,
      timeout: props.timeout,
      reservedConcurrentExecutions: props.reservedConcurrency,
      role: this.role,
      logGroup,
      tracing: lambda.Tracing.ACTIVE,
      // No source maps are emitted, so no NODE_OPTIONS=--enable-source-maps (it would slow cold starts).
      environment: { POWERTOOLS_SERVICE_NAME: 'secpass', LOG_LEVEL: 'INFO', ...props.environment },
      // JSON logs filtered by level: our INFO lines stay; Lambda's own START and REPORT lines
      // (about a third of the bytes a login logged) do not, since duration, memory and errors are
      // CloudWatch metrics already and the alarms read those.
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
    });
    acknowledge(
      this.role,
      'AwsSolutions-IAM5[Resource::*]',
      'Active tracing: X-Ray PutTraceSegments/PutTelemetryRecords accept no resource but "*".',
    );
  }
}
