import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import * as z from 'zod/mini';
import { UpstreamProfile } from '../../shared/apps/app-record.ts';
import { ENVIRONMENT_NAMES, UPSTREAM_URLS } from '../environments.ts';
import { SecpassStack } from '../stack.ts';

const app = new App();

/**
 * `-c env=sandbox|test|prod` picks the upstream environment, retention and protection (default
 * test); `-c myinfoBaseUrl=…` etc. (UPSTREAM_URLS) override one URL; `-c domainName=… -c
 * certificateArn=…` add a custom domain; `-c alarmEmail=…` subscribes an address to the alarms.
 */
const contextString = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || typeof value === 'string') return value;
  throw new Error(`context ${key} must be a string`);
};

const environment = z.enum(ENVIRONMENT_NAMES).parse(contextString('env') ?? 'test');
const domainName = contextString('domainName');
const certificateArn = contextString('certificateArn');
if ((domainName === undefined) !== (certificateArn === undefined)) {
  throw new Error('context domainName and certificateArn go together');
}

// Environment-agnostic: account and region come from whoever deploys, so synth needs no credentials.
new SecpassStack(app, `Secpass-${environment}`, {
  description: `Secpass identity broker (${environment})`,
  environment,
  ...(domainName && certificateArn ? { customDomain: { name: domainName, certificateArn } } : {}),
  alarmEmail: contextString('alarmEmail'),
  ...Object.fromEntries(Object.keys(UPSTREAM_URLS).map((key) => [key, contextString(key)])),
  upstreamProfile: z.optional(UpstreamProfile).parse(contextString('upstreamProfile')),
});

// cdk-nag v3 is a validation plugin: any finding not acknowledged in the stack fails synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
