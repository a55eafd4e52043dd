// One connected agent process: its Control call, what it offers, and its pool of
// idle Stream calls. A request borrows one idle stream and gives it back when done.
import { randomUUID } from 'node:crypto';
import { FerryError } from '../errors.js';
import type { TunnelStream } from '../tunnel/tunnel-stream.js';
import type { ControllerEvent, HelloIn, ServiceIn } from '../tunnel/types.js';

/** How long streams of an ended session may keep delivering what was already sent. */
const CLOSE_GRACE_MS = 5_000;

/** How often surplus idle streams (beyond maxIdleStreams) are closed. */
export const TRIM_INTERVAL_MS = 2_000;

export interface SessionLimits {
  /** Idle streams kept beyond this are closed by the controller. */
  maxIdleStreams: number;
  /** How long a request waits for the agent to open a stream. */
  streamWaitMs: number;
}

interface Waiter {
  resolve: (s: TunnelStream) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class AgentSession {
  readonly id = randomUUID();
  readonly connectedAt = new Date();
  lastSeen = new Date();
  services: ServiceIn[];
  draining = false;
  /** Requests in flight on this session (least-busy routing reads this). */
  active = 0;
  /** Requests routed here so far: breaks ties between equally busy sessions. */
  routed = 0;
  /** The agent has opened a stream here: it keeps this session (a duplicate one it hangs up never does). */
  streamed = false;
  private readonly idle: TunnelStream[] = [];
  private readonly waiters: Waiter[] = [];
  private readonly live = new Set<TunnelStream>();
  /** Streams asked of the agent that have not arrived yet (avoids asking twice). */
  private requested = 0;
  private closed = false;
  /** Fewest idle streams since the last trim: that many sat unused the whole interval. */
  private lowWater = 0;
  private trimTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly agent: string,
    readonly hello: HelloIn,
    private readonly sendControl: (ev: ControllerEvent) => void,
    private readonly limits: SessionLimits,
  ) {
    this.services = hello.services;
  }

  get openStreams(): number {
    return this.live.size;
  }

  get idleStreams(): number {
    return this.idle.length;
  }

  hasHealthyService(type: string, name: string): boolean {
    return this.services.some((s) => s.type === type && s.name === name && (s.health?.healthy ?? true));
  }

  hasService(type: string, name: string): boolean {
    return this.services.some((s) => s.type === type && s.name === name);
  }

  /** A new Stream call from the agent joins the idle pool (or serves a waiting request). */
  addStream(stream: TunnelStream): void {
    if (this.closed) {
      stream.abort('session closed');
      return;
    }
    this.live.add(stream);
    this.streamed = true;
    if (this.requested > 0) this.requested--;
    this.giveBack(stream);
  }

  forgetStream(stream: TunnelStream): void {
    this.live.delete(stream);
    const i = this.idle.indexOf(stream);
    if (i >= 0) this.idle.splice(i, 1);
    if (this.idle.length < this.lowWater) this.lowWater = this.idle.length;
  }

  /** Borrow an idle stream; asks the agent for more when the pool is empty. */
  acquire(): Promise<TunnelStream> {
    if (this.closed) return Promise.reject(new FerryError('FERRY_ERR_AGENT_LOST', `agent ${this.agent} disconnected`));
    for (;;) {
      const s = this.idle.pop();
      if (!s) break;
      if (this.idle.length < this.lowWater) this.lowWater = this.idle.length;
      if (!s.isClosed) {
        if (this.idle.length === 0) this.requestStreams(1);
        return Promise.resolve(s);
      }
    }
    this.requestStreams(this.waiters.length + 1);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          this.requested = 0; // what was asked for did not come; ask afresh next time
          reject(new FerryError('FERRY_ERR_NO_AGENT', `agent ${this.agent} opened no stream in time`));
        }, this.limits.streamWaitMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** A request finished cleanly on this stream: reuse it, or trim the pool. */
  release(stream: TunnelStream): void {
    if (stream.isClosed) {
      this.forgetStream(stream);
      return;
    }
    stream.detach();
    this.giveBack(stream, true);
  }

  /**
   * A returning stream may take the pool past maxIdleStreams for a while: under load the
   * number in use swings, and closing it now only has the agent open another a moment
   * later (measured: one new Stream call per dozen requests at 64 clients). A stream the
   * agent opens beyond the limit is closed at once.
   */
  private giveBack(stream: TunnelStream, returning = false): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.resolve(stream);
      return;
    }
    if (this.draining || (this.idle.length >= this.limits.maxIdleStreams && !returning)) {
      this.live.delete(stream);
      stream.close();
      return;
    }
    this.idle.push(stream);
    if (this.idle.length > this.limits.maxIdleStreams && !this.trimTimer) {
      this.lowWater = this.idle.length;
      this.trimTimer = setInterval(() => this.trim(), TRIM_INTERVAL_MS).unref();
    }
  }

  /** Closes the surplus that was not needed during the last interval, longest idle first. */
  private trim(): void {
    const surplus = Math.min(this.idle.length - this.limits.maxIdleStreams, this.lowWater);
    for (const s of this.idle.splice(0, Math.max(surplus, 0))) {
      this.live.delete(s);
      s.close();
    }
    this.lowWater = this.idle.length;
    if (this.idle.length <= this.limits.maxIdleStreams) this.stopTrimming();
  }

  private stopTrimming(): void {
    clearInterval(this.trimTimer);
    this.trimTimer = undefined;
  }

  /** Makes sure `wanted` streams are on their way, counting those already asked for. */
  private requestStreams(wanted: number): void {
    const count = wanted - this.requested;
    if (count <= 0) return;
    this.requested += count;
    this.sendControl({ open: { count } });
  }

  /** The agent said it is draining: no new requests; idle streams are released. */
  markDraining(): void {
    this.draining = true;
    this.stopTrimming();
    for (const s of this.idle.splice(0)) {
      this.live.delete(s);
      s.close();
    }
  }

  /** The Control call ended: every stream of this session goes with it. */
  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.stopTrimming();
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new FerryError('FERRY_ERR_AGENT_LOST', `agent ${this.agent} disconnected`));
    }
    for (const s of this.idle.splice(0)) s.abort(reason);
    // Streams still carrying a response may hold frames that were sent before the Control
    // call ended but arrive after it (HTTP/2 does not order separate streams): let them
    // finish, and abort whatever is left after a short grace. A dead connection errors
    // every call at once anyway, which resets their clients immediately.
    const busy = [...this.live].filter((s) => !s.isClosed);
    this.live.clear();
    if (busy.length > 0) setTimeout(() => busy.forEach((s) => s.abort(reason)), CLOSE_GRACE_MS).unref();
  }
}
