// client-go's exec credential protocol (client.authentication.k8s.io v1 and v1beta1): kubectl
// says which version it speaks in KUBERNETES_EXEC_INFO and refuses an answer in another, so
// the answer mirrors it. Only the ExecCredential JSON goes to stdout.
import { FerryError } from '../../errors.js';

export const EXEC_V1 = 'client.authentication.k8s.io/v1';
export const EXEC_V1BETA1 = 'client.authentication.k8s.io/v1beta1';
const VERSIONS = new Set([EXEC_V1, EXEC_V1BETA1]);

export interface ExecInfo {
  apiVersion: string;
  interactive: boolean;
}

/** What kubectl asked for; without KUBERNETES_EXEC_INFO (run by hand): v1, interactive if stdin is a terminal. */
export function execInfoOf(env: NodeJS.ProcessEnv, stdinIsTty = process.stdin.isTTY === true): ExecInfo {
  const raw = env['KUBERNETES_EXEC_INFO'];
  if (raw === undefined || raw === '') return { apiVersion: EXEC_V1, interactive: stdinIsTty };
  let parsed: { apiVersion?: unknown; spec?: { interactive?: unknown } };
  try {
    parsed = JSON.parse(raw) as typeof parsed;
  } catch {
    throw new FerryError('FERRY_ERR_BAD_INPUT', 'KUBERNETES_EXEC_INFO is not JSON');
  }
  if (typeof parsed.apiVersion !== 'string' || !VERSIONS.has(parsed.apiVersion)) {
    throw new FerryError('FERRY_ERR_BAD_INPUT', `unsupported exec credential version ${JSON.stringify(parsed.apiVersion)} (ferry speaks ${EXEC_V1} and ${EXEC_V1BETA1})`);
  }
  return { apiVersion: parsed.apiVersion, interactive: parsed.spec?.interactive === true };
}

export function execCredentialJson(apiVersion: string, token: string, expiresAtSeconds: number): string {
  return `${JSON.stringify({
    apiVersion,
    kind: 'ExecCredential',
    status: { token, expirationTimestamp: new Date(expiresAtSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') },
  })}\n`;
}
