import { systemClock } from '../../shared/adapters/system-clock.ts';
import type { MovableClock } from './memory-ports.ts';

/** The system clock, moved forward by hand: for rules against DynamoDB Local, whose TTL deletes late anyway. */
export const travellingSystemClock = (): MovableClock => {
  let offset = 0;
  return {
    nowSeconds: () => systemClock.nowSeconds() + offset,
    advance: (seconds) => {
      offset += seconds;
    },
  };
};
