import { Annotations, App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import * as z from 'zod/mini';
import { UpstreamProfile } from '../../shared/apps/app-record.ts';
import { CLIENT_IDS } from '../client-ids.ts';
import { ENVIRONMENT_NAMES, UPSTREAM_URLS } from '../environments.ts';
import { FUNCTION_NAMES } from '../routes.ts';
import { SecpassStack } from '../stack.ts';

// CDK announces every local bundling on stderr, whatever -q says; the bundler itself reports errors
// only, so a synth prints nothing unless something needs attention.
const writeStderr = process.stderr.write.bind(process.stderr);
process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) =>
  /^Bundling asset \S+\.\.\.\n$/.test(String(chunk))
    ? true
    : writeStderr(chunk, ...rest)) as typeof process.stderr.write;

const app = new App();

/**
 * `-c env=sandbox|test|prod` picks the upstream environment, retention and protection (default
 * test); `-c myinfoBaseUrl=…` etc. (UPSTREAM_URLS) override one URL; `-c myinfoClientId=…` etc.
 * (CLIENT_IDS) name each registration's client id; `-c reservedConcurrency.<function>=<n>` changes
 * a function's concurrency ceiling; `-c domainName=… -c certificateArn=…` add a custom domain;
 * `-c alarmEmail=…` subscribes an address to the alarms; with `-c env=sandbox` only,
 * `-c sandboxAppId=app_…` serves calls without an API key as that (existing) app.
 */
const contextString = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || typeof value === 'string') return value;
  throw new Error(`context ${key} must be a string`);
};

/** A whole number given as context (the CLI passes strings; cdk.json may hold numbers). */
const contextCount = (key: string): number | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined) return undefined;
  const count = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof count !== 'number' || !Number.isSafeInteger(count)) {
    throw new Error(`context ${key} must be a whole number`);
  }
  return count;
};

const environment = z.enum(ENVIRONMENT_NAMES).parse(contextString('env') ?? 'test');
const domainName = contextString('domainName');
const certificateArn = contextString('certificateArn');
if ((domainName === undefined) !== (certificateArn === undefined)) {
  throw new Error('context domainName and certificateArn go together');
}

// Environment-agnostic: account and region come from whoever deploys, so synth needs no credentials.
const stack = new SecpassStack(app, `Secpass-${environment}`, {
  description: `Secpass identity broker (${environment})`,
  environment,
  ...(domainName && certificateArn ? { customDomain: { name: domainName, certificateArn } } : {}),
  alarmEmail: contextString('alarmEmail'),
  ...Object.fromEntries(Object.keys(UPSTREAM_URLS).map((key) => [key, contextString(key)])),
  ...Object.fromEntries(Object.keys(CLIENT_IDS).map((key) => [key, contextString(key)])),
  reservedConcurrency: Object.fromEntries(
    FUNCTION_NAMES.flatMap((name) => {
      const count = contextCount(`reservedConcurrency.${name}`);
      return count === undefined ? [] : [[name, count]];
    }),
  ),
  upstreamProfile: z.optional(UpstreamProfile).parse(contextString('upstreamProfile')),
  sandboxAppId: contextString('sandboxAppId'),
});

// Client ids matter to a deployment, which names its environment; a bare synth is a build check.
if (contextString('env') === undefined) {
  Annotations.of(stack).acknowledgeWarning('secpass:clientIdsMissing', 'no -c env=…: not a deployment');
}

// cdk-nag v3 is a validation plugin: any finding not acknowledged in the stack fails synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
