import {
  APIGatewayClient,
  CreateApiKeyCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
} from '@aws-sdk/client-api-gateway';

/** Each app's own share of the API: steady requests per second and the burst above it. */
export interface AppThrottle {
  rateLimit: number;
  burstLimit: number;
}

export const DEFAULT_APP_THROTTLE: AppThrottle = { rateLimit: 50, burstLimit: 100 };

/**
 * Gives an app its own API Gateway key (the value our authorizer returns for it) and usage plan
 * on the API's stage, so one noisy app is throttled alone instead of starving the others.
 */
export const attachUsagePlan = async (input: {
  restApiId: string;
  stage: string;
  appId: string;
  usageKey: string;
  throttle: AppThrottle;
}): Promise<{ usagePlanId: string }> => {
  const client = new APIGatewayClient({});
  const name = `secpass-${input.appId}`;
  const key = await client.send(new CreateApiKeyCommand({ name, value: input.usageKey, enabled: true }));
  const plan = await client.send(
    new CreateUsagePlanCommand({
      name,
      description: `Throttle for Secpass app ${input.appId}`,
      apiStages: [{ apiId: input.restApiId, stage: input.stage }],
      throttle: input.throttle,
    }),
  );
  if (!key.id || !plan.id) throw new Error('API Gateway returned no key or plan id');
  await client.send(
    new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id, keyType: 'API_KEY' }),
  );
  return { usagePlanId: plan.id };
};
