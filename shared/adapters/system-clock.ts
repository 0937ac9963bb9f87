import type { Clock } from '../core/ports.ts';

export const systemClock: Clock = { nowSeconds: () => Math.floor(Date.now() / 1000) };
