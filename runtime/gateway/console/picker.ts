// The console's sample picker: the shipped samples, each re-addressed to the asking user.
import type { ConsoleSamples } from '../../server/routes/console.js';
import { CONSOLE_SAMPLES } from './samples.generated.js';
import { sampleFor } from './samples.js';

export const CONSOLE_PICKER: ConsoleSamples = {
  list: CONSOLE_SAMPLES,
  notificationFor(id, user) {
    const sample = CONSOLE_SAMPLES[id];
    return sample ? sampleFor(sample, user) : null;
  },
};
