import { performance } from 'node:perf_hooks';

/** Time comes from here so tests can control it. `monotonic` is for measuring durations. */
export interface Clock {
  /** Wall-clock epoch milliseconds (UTC). */
  now(): number;
  /** Monotonic milliseconds, only meaningful as a difference. */
  monotonic(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
};

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(
    private wall = Date.UTC(2026, 0, 1, 8, 0, 0),
    private mono = 0,
  ) {}
  now(): number {
    return this.wall;
  }
  monotonic(): number {
    return this.mono;
  }
  advance(ms: number): void {
    this.wall += ms;
    this.mono += ms;
  }
}
