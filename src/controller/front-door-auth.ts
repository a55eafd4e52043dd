// Kept only for control-api/bootstrap-endpoint.ts's import (another branch edits that
// file); the lead points that import at front-door/token-in-headers.js and deletes this.
export { tokenFromHeaders } from './front-door/token-in-headers.js';
