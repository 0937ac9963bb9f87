import {
  SecpassApiError,
  SecpassTokenError,
  SecpassWaitTimeoutError,
} from '../../packages/client/src/index.ts';

/**
 * What went wrong, told to the person in words, with what they can do next. The codes come
 * from the upstream's redirect (`error=access_denied`) or from Secpass's refusal; the page
 * never shows a token, a key or the raw answer.
 */
export interface Explanation {
  status: number;
  title: string;
  text: string;
  /** Whether starting the flow again can help (then the page offers it). */
  startAgain: boolean;
}

/** Who the person was dealing with, to name them in the sentence. */
export interface FlowNames {
  app: string;
  /** "Myinfo", "Myinfo Business", "Singpass", "CPFHub". */
  upstream: string;
  /** What the person was asked to share: "your Myinfo data", "your CPF records". */
  shared: string;
}

/** The upstream sent the person back with `error=…` instead of a code. */
export const explainUpstreamRefusal = (error: string, names: FlowNames): Explanation =>
  error === 'access_denied'
    ? {
        status: 200,
        title: 'Nothing was shared',
        text: `You chose not to share ${names.shared} with ${names.app}. Nothing was retrieved; you can start again whenever you wish.`,
        startAgain: true,
      }
    : {
        status: 502,
        title: `${names.upstream} could not finish`,
        text: `${names.upstream} sent you back without completing the request (${error}). Please start again.`,
        startAgain: true,
      };

/** The callback was opened without the code and state the upstream adds. */
export const explainIncompleteCallback = (names: FlowNames): Explanation => ({
  status: 400,
  title: 'This link is incomplete',
  text: `This page is where ${names.upstream} sends you back after you agree. Open it from ${names.app} instead.`,
  startAgain: true,
});

const STATE_PROBLEMS: Record<string, (names: FlowNames) => Omit<Explanation, 'startAgain'>> = {
  state_used: () => ({
    status: 409,
    title: 'This page was already used',
    text: 'Each retrieval works once, and this one has been used (reloading the page repeats it). Start again to retrieve the data anew.',
  }),
  state_expired: (names) => ({
    status: 410,
    title: 'That took too long',
    text: `More than 10 minutes passed between leaving ${names.app} and coming back, so the request expired. Start again.`,
  }),
  invalid_state: (names) => ({
    status: 400,
    title: 'We did not start this request',
    text: `This link does not belong to a request ${names.app} started. Start again from ${names.app}.`,
  }),
  invalid_code: (names) => ({
    status: 400,
    title: 'The authorisation was not accepted',
    text: `${names.upstream} no longer accepts this authorisation (it was already used or has expired). Start again.`,
  }),
  missing_parameter: explainIncompleteCallback,
  invalid_parameter: explainIncompleteCallback,
  unknown_grant: () => ({
    status: 403,
    title: 'Your CPF connection has ended',
    text: 'The permission you gave has ended (you disconnected, or it expired). Connect again to see your records.',
  }),
  grant_revoked: () => ({
    status: 403,
    title: 'Your CPF connection was withdrawn',
    text: 'CPFHub no longer accepts the permission you gave (consent was withdrawn or ran out). Connect again to see your records.',
  }),
  grant_lost: () => ({
    status: 403,
    title: 'Please connect again',
    text: 'Your CPF connection could not be renewed after a network problem. Nobody withdrew it, but CPFHub needs you to agree again.',
  }),
};

const explainApiError = (error: SecpassApiError, names: FlowNames): Explanation => {
  const known = STATE_PROBLEMS[error.code];
  if (known) return { ...known(names), startAgain: true };
  if (error.code.startsWith('upstream_') || error.status === 429) {
    return {
      status: 502,
      title: `${names.upstream} is not answering properly`,
      text: `${names.upstream} could not be reached or gave an answer we could not use. Nothing was kept; please try again in a few minutes.`,
      startAgain: true,
    };
  }
  if (
    error.code === 'invalid_api_key' ||
    error.code === 'provider_not_enabled' ||
    error.code.startsWith('scope_')
  ) {
    return {
      status: 503,
      title: `${names.app} is not set up for this`,
      text: `Secpass does not let ${names.app} use ${names.upstream} (${error.code}). The app's operator must fix its registration.`,
      startAgain: false,
    };
  }
  return {
    status: 500,
    title: 'Something went wrong',
    text: `Secpass refused the request (${error.code}). Please try again later.`,
    startAgain: true,
  };
};

export const explainFailure = (error: unknown, names: FlowNames): Explanation => {
  if (error instanceof SecpassApiError) return explainApiError(error, names);
  if (error instanceof SecpassTokenError) {
    return {
      status: 502,
      title: 'The data could not be verified',
      text: `What came back did not pass ${names.app}'s checks (${error.reason}), so it was not used. Please start again.`,
      startAgain: true,
    };
  }
  if (error instanceof SecpassWaitTimeoutError) {
    return {
      status: 504,
      title: 'Nobody scanned the code',
      text: 'No visitor arrived in time.',
      startAgain: true,
    };
  }
  return {
    status: 500,
    title: 'Something went wrong',
    text: `${names.app} could not finish this request. Please try again later.`,
    startAgain: true,
  };
};
