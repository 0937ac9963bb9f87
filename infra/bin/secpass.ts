import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SecpassStack } from '../stack.ts';

/** Environment-agnostic: account and region come from the deploying credentials. */
const app = new App();
new SecpassStack(app, 'Secpass', {
  myinfoBaseUrl: app.node.tryGetContext('myinfoBaseUrl'),
  description: 'Secpass identity broker',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
