// Config errors show the offending value to help the operator, except under keys that may
// hold a secret: a token pasted into the wrong field must not end up in a log or a terminal.

const SECRET_NAME = /token|passw|secret|key|credential|authorization|cookie|private|bearer/i;

/** True when any segment of a key path is named like something secret. */
export function looksSecret(path: readonly PropertyKey[]): boolean {
  return path.some((segment) => typeof segment === 'string' && SECRET_NAME.test(segment));
}
