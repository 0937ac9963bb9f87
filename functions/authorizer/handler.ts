import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent, Context } from 'aws-lambda';
import { dynamoAppDirectory } from '../../shared/adapters/dynamodb/app-store.ts';
import { authorizationHeaderOf } from '../../shared/apps/api-key.ts';
import { authorizeRequest } from '../../shared/http/authorize-request.ts';
import { inInvocationScope, logger } from '../../shared/log/logger.ts';

// The authorizer reads only the app directory.
const apps = dynamoAppDirectory();

export const handler = (
  event: APIGatewayRequestAuthorizerEvent,
  context: Context,
): Promise<APIGatewayAuthorizerResult> =>
  inInvocationScope(async () => {
    logger.addContext(context);
    const result = await authorizeRequest(apps, event);
    logger.info('authorizer decision', {
      effect: result.policyDocument.Statement[0]?.Effect,
      appId: result.context?.appId,
      // Only a sandbox deployment allows these; the log says which calls came in without a key.
      keyless: authorizationHeaderOf(event.headers) === undefined,
    });
    return result;
  });
