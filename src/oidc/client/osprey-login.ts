// The osprey client's side of POST /access-token: Basic credentials, protobuf LoginResponse
// (so it works against osprey's own server too), a readable error otherwise.
import { Agent, request } from 'undici';
import { FerryError, messageOf } from '../../errors.js';
import { decodeOsprey, type OspreyLoginResponse } from '../osprey-proto.js';

export async function ospreyLogin(server: string, caPem: string | undefined, username: string, password: string): Promise<OspreyLoginResponse> {
  const dispatcher = new Agent({ connect: caPem ? { ca: caPem } : {} });
  try {
    const res = await request(`${server}/access-token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`, accept: 'application/octet-stream' },
      dispatcher,
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    const body = Buffer.from(await res.body.arrayBuffer());
    if (res.statusCode === 200) return decodeOsprey('login', body);
    let reason = `HTTP ${res.statusCode}`;
    try {
      const status = decodeOsprey('status', body);
      if (status.message) reason = `${reason}: ${status.message}`;
    } catch {
      // not a Status: the HTTP code says enough
    }
    throw new FerryError(res.statusCode === 401 ? 'FERRY_ERR_UNAUTHENTICATED' : res.statusCode === 403 ? 'FERRY_ERR_FORBIDDEN' : 'FERRY_ERR_UNAVAILABLE', reason);
  } catch (err) {
    if (err instanceof FerryError) throw err;
    throw new FerryError('FERRY_ERR_UNAVAILABLE', `cannot reach ${server}: ${messageOf(err)}`);
  } finally {
    await dispatcher.close();
  }
}
