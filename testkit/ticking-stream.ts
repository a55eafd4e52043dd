// A watch-like response (the upstream's /stream) kept open beside a test, to prove that
// whatever the test does to other streams, this one keeps flowing.
import { request } from 'undici';
import { frontDoorClient } from './client.js';

export interface TickingStream {
  /** Ticks received so far. */
  readonly ticks: number;
  /** Set if the response ever broke. */
  readonly error: unknown;
  stop(): Promise<void>;
}

export async function startTickingStream(frontDoorUrl: string, caPem: string, token: string): Promise<TickingStream> {
  const client = frontDoorClient(caPem);
  const res = await request(`${frontDoorUrl}/stream`, { dispatcher: client, headers: { 'x-ferry-token': token } });
  const state = { ticks: 0, error: undefined as unknown };
  const done = (async () => {
    try {
      for await (const chunk of res.body) state.ticks += (chunk as Buffer).toString().split('tick').length - 1;
    } catch (err) {
      state.error = err;
    }
  })();
  return {
    get ticks() {
      return state.ticks;
    },
    get error() {
      return state.error;
    },
    async stop() {
      res.body.destroy();
      await done;
      await client.close();
    },
  };
}
