// Generated from package.json by scripts/gen-version.mjs (npm run gen): do not edit.
export const FERRY_VERSION = "0.1.0";
