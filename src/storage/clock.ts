/**
 * A source of write timestamps: epoch milliseconds with a fractional part. `observe` raises its
 * floor, so that timestamps found on disk (a log written before a restart under a clock that was
 * ahead) are never issued again.
 */
export interface Clock {
  (): number;
  /** Makes every later timestamp greater than `timestamp`. */
  observe(timestamp: number): void;
  /** The time now, without taking a timestamp: what reads compare expiry times with. */
  current(): number;
}

/** The default time source: epoch milliseconds with a sub-millisecond fraction, monotonic. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Creates the clock that stamps writes (`__createdtime__`, `__updatedtime__`, audit log keys, a
 * table's created time). Like Harper it returns epoch milliseconds with a sub-millisecond fraction
 * (`performance.timeOrigin + performance.now()`, or `source` in tests), and it never returns the
 * same value twice or goes backwards, so that the audit log can key its entries by this timestamp.
 */
export function createClock(source: () => number = preciseNow): Clock {
  let last = 0;
  const clock = (): number => {
    let now = source();
    // Near 2^41 ms a double resolves about 0.0002 ms, so one microsecond is a safe step.
    if (now <= last) now = last + 0.001;
    last = now;
    return now;
  };
  return Object.assign(clock, {
    observe(timestamp: number) {
      if (Number.isFinite(timestamp) && timestamp > last) last = timestamp;
    },
    current: source,
  });
}
