import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import * as z from 'zod/mini';
import { UpstreamProfile } from '../../shared/apps/app-record.ts';
import { SecpassStack, UPSTREAM_URLS } from '../stack.ts';

const app = new App();

/** `-c myinfoBaseUrl=…`, `-c cpfhubApiBaseUrl=…` (UPSTREAM_URLS) pick upstream environments; defaults are the test ones. */
const contextString = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || typeof value === 'string') return value;
  throw new Error(`context ${key} must be a string`);
};

// Environment-agnostic: account and region come from whoever deploys, so synth needs no credentials.
new SecpassStack(app, 'Secpass', {
  description: 'Secpass identity broker',
  ...Object.fromEntries(Object.keys(UPSTREAM_URLS).map((key) => [key, contextString(key)])),
  upstreamProfile: z.optional(UpstreamProfile).parse(contextString('upstreamProfile')),
});

// cdk-nag v3 is a validation plugin: any finding not acknowledged in the stack fails synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
