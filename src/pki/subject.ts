// Subject names. Users follow the Kubernetes client-certificate convention
// (CN = user name, one O per group) so the API server can read them directly.
import type { SubjectAttribute } from './certificate-builder.js';
import { commonNameOf, type Identity } from './identity.js';

export const OID_CN = '2.5.4.3';
export const OID_O = '2.5.4.10';

export function subjectOf(id: Identity): SubjectAttribute[] {
  const attrs: SubjectAttribute[] = [];
  if (id.kind === 'user') for (const g of id.groups) attrs.push({ type: 'O', value: g });
  attrs.push({ type: 'CN', value: commonNameOf(id) });
  return attrs;
}

/** The same subject in @peculiar/x509's JSON form (for CSRs). */
export function subjectJsonOf(id: Identity): Array<Record<string, string[]>> {
  return subjectOf(id).map((a) => ({ [a.type === 'CN' ? OID_CN : OID_O]: [a.value] }));
}
