import { fileURLToPath } from 'node:url';
import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BUNDLE_TARGET, ESM_REQUIRE_BANNER, EXTERNAL_MODULES } from '../bundling.ts';
import { FUNCTION_MEMORY_MB, type FunctionName, handlerEntry } from '../routes.ts';
import { acknowledge } from './acknowledge.ts';

/** Handler entries in the route table are relative to the repository root, wherever cdk runs. */
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

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
      entry: `${REPO_ROOT}${handlerEntry(props.name)}`,
      projectRoot: REPO_ROOT,
      depsLockFilePath: `${REPO_ROOT}package-lock.json`,
      handler: 'handler',
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
      bundling: {
        // Errors only: a synth prints nothing unless something needs attention.
        logLevel: LogLevel.ERROR,
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        minify: true,
        sourceMap: false,
        target: BUNDLE_TARGET,
        mainFields: ['module', 'main'],
        externalModules: EXTERNAL_MODULES,
        banner: ESM_REQUIRE_BANNER,
      },
    });
    acknowledge(
      this.role,
      'AwsSolutions-IAM5[Resource::*]',
      'Active tracing: X-Ray PutTraceSegments/PutTelemetryRecords accept no resource but "*".',
    );
  }
}
