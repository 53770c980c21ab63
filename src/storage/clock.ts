/** A source of write timestamps: epoch milliseconds with a fractional part. */
export type Clock = () => number;

/**
 * Creates the clock that stamps writes (`__createdtime__`, `__updatedtime__`, a table's created
 * time). Like Harper it returns epoch milliseconds with a sub-millisecond fraction
 * (`performance.timeOrigin + performance.now()`), and it never returns the same value twice or
 * goes backwards, so that a later audit log can key its entries by this timestamp.
 */
export function createClock(): Clock {
  let last = 0;
  return () => {
    let now = performance.timeOrigin + performance.now();
    // Near 2^41 ms a double resolves about 0.0002 ms, so one microsecond is a safe step.
    if (now <= last) now = last + 0.001;
    last = now;
    return now;
  };
}
