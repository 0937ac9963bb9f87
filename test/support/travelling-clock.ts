import { systemClock } from '../../shared/adapters/system-clock.ts';
import type { TravellingClock } from './sgverify-store-rules.ts';

/** The system clock, moved forward by hand: for rules against DynamoDB Local, whose TTL deletes late anyway. */
export const travellingSystemClock = (): TravellingClock => {
  let offset = 0;
  return {
    nowSeconds: () => systemClock.nowSeconds() + offset,
    advance: (seconds) => {
      offset += seconds;
    },
  };
};
