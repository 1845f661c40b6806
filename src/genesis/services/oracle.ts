import { z } from 'zod';
import { method, type GenesisServiceDef } from '../context';

/** The oracle's auction (bids, holds, resolution) arrives with the oracle issue; its status is readable now. */
export const oracleService: GenesisServiceDef = {
  status: method({
    description: 'The oracle: its schedule, next resolution time and number of open bids.',
    args: z.strictObject({}),
    async run() {
      return { enabled: false, schedule: null, next_resolution_at: null, open_bids: 0 };
    },
  }),
};
