import { type FlowContext, flowContext } from '../../core/flow-context.ts';
import type { Ports } from '../../core/ports.ts';
import { flowSettings } from '../broker-config.ts';
import { perConfiguration } from '../env.ts';

/**
 * How a function on AWS builds its providers (this folder, one module per provider, so a bundle
 * holds only the providers its handler names): on the first call of one of a provider's routes,
 * its code and its store's loaded by `import()` then, not at cold start, and built again only if a
 * test or the local runtime changes the settings.
 */
export type ContextOnAws = () => FlowContext;

export const flowContextOnAws = (ports: Ports): ContextOnAws =>
  perConfiguration(() => flowContext(ports, flowSettings()));
