import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent, Context } from 'aws-lambda';
import { authorizeRequest } from '../../shared/apps/authorize-request.ts';
import { inInvocationScope, logger } from '../../shared/log/logger.ts';

export const handler = (
  event: APIGatewayRequestAuthorizerEvent,
  context: Context,
): Promise<APIGatewayAuthorizerResult> =>
  inInvocationScope(async () => {
    logger.addContext(context);
    const result = await authorizeRequest(event);
    logger.info('authorizer decision', {
      effect: result.policyDocument.Statement[0]?.Effect,
      appId: result.context?.appId,
    });
    return result;
  });
