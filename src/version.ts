// ferry's version, from package.json at `npm run gen` time (src/gen/version.ts): no file is
// looked up at run time, so bundled and installed copies report it too.
import { FERRY_VERSION } from './gen/version.js';

export function ferryVersion(): string {
  return FERRY_VERSION;
}
