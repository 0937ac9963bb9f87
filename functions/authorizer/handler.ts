import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent, Context } from 'aws-lambda';
import { authorizeRequest } from '../../shared/apps/authorize-request.ts';
import { logger } from '../../shared/log/logger.ts';

export const handler = async (
  event: APIGatewayRequestAuthorizerEvent,
  context: Context,
): Promise<APIGatewayAuthorizerResult> => {
  logger.addContext(context);
  const result = await authorizeRequest(event);
  logger.info('authorizer decision', {
    effect: result.policyDocument.Statement[0]?.Effect,
    appId: result.context?.appId,
  });
  return result;
};
