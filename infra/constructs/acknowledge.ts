import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag v3 honours CDK's own acknowledgements (its `NagSuppressions` is gone); every one of
 * ours carries a one-line reason, and applies to the construct and everything beneath it.
 */
export const acknowledge = (scope: IConstruct, id: string, reason: string): void =>
  Validations.of(scope).acknowledge({ id, reason });
