export interface RetryBudgetOptions {
  /** Retries may add this share of the requests sent in the window (0.2: at most 20 % more). */
  ratio: number;
  /** Retries allowed per second of the window whatever the traffic, so a quiet gateway still retries. */
  minPerSecond: number;
  windowMs?: number;
  now?: () => number;
}

const SLOTS = 10;

/**
 * How many retries a subgraph client may still send, as Linkerd and Grafbase bound them:
 * over the last window (10 s), retries stay below `ratio` × requests + `minPerSecond` ×
 * seconds. During an outage every request fails; without a budget each would be sent
 * again, and the subgraph, on its way back, would meet more load than before it failed.
 * Counted in slots of a tenth of the window, forgotten as the window moves on.
 */
export class RetryBudget {
  private readonly slotMs: number;
  private readonly requests = new Array<number>(SLOTS).fill(0);
  private readonly retries = new Array<number>(SLOTS).fill(0);
  private currentSlot: number;

  constructor(private readonly options: RetryBudgetOptions) {
    this.slotMs = (options.windowMs ?? 10_000) / SLOTS;
    this.currentSlot = this.slotNow();
  }

  /** A first attempt was sent. */
  recordRequest(): void {
    this.requests[this.advance()]! += 1;
  }

  /** Whether one more retry fits in the budget. */
  allowsRetry(): boolean {
    this.advance();
    const windowSeconds = (this.slotMs * SLOTS) / 1000;
    return sum(this.retries) + 1 <= this.options.ratio * sum(this.requests) + this.options.minPerSecond * windowSeconds;
  }

  /** A retry was sent. */
  recordRetry(): void {
    this.retries[this.advance()]! += 1;
  }

  private slotNow(): number {
    return Math.floor((this.options.now ?? Date.now)() / this.slotMs);
  }

  /** Clears the slots time has passed since the last count; returns the index of the current one. */
  private advance(): number {
    const now = this.slotNow();
    for (let slot = this.currentSlot + 1; slot <= Math.min(now, this.currentSlot + SLOTS); slot += 1) {
      this.requests[slot % SLOTS] = 0;
      this.retries[slot % SLOTS] = 0;
    }
    this.currentSlot = Math.max(now, this.currentSlot);
    return this.currentSlot % SLOTS;
  }
}

const sum = (counts: number[]) => counts.reduce((total, count) => total + count, 0);
