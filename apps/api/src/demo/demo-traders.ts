import { Logger } from '@nestjs/common';
import WebSocket from 'ws';
import { RestClient, WsClient, nodeWebSocketFactory, type InstrumentView } from '@exchange/client';
import { Dec, lotsToQuantity, roundToTicks, ticksToPrice } from '@exchange/domain';
import { MAX_QUOTES } from '@exchange/gateway';
import { SeededRandom } from '@exchange/oracle';
import { DEFAULT_QUOTING, quoteLevels, type QuoteLevel } from './quoting';

/**
 * Demo market participants for the embedded default (`npm start`), as real clients of the API on
 * the SDK (libs/client), over loopback HTTP and WebSocket:
 * - a market maker that follows every instrument's fair price (the `mark.<symbol>` channel for
 *   futures and options, the class's `index.<class>` channel for spot) and requotes it with
 *   `private/mass_quote` (replace) when the fair price moved by half its half spread, one of its
 *   quotes was taken, or DEMO_REFRESH_MS passed (quoting rule: ./quoting.ts);
 * - two takers, one on REST and one on the WebSocket, that take one lot of a random quote (IOC)
 *   every DEMO_TAKER_INTERVAL_MS or so.
 * So every listed instrument with a price has a two-sided book and trades. Their choices come from
 * a seeded generator (DEMO_SEED); rejections are counted by code and logged every 30 s.
 *
 * | variable | default | meaning |
 * | DEMO_TRADERS | on in npm start | on/off |
 * | DEMO_SEED | 7 | the random generator's seed |
 * | DEMO_QUOTE_INTERVAL_MS | 2000 | how often the market maker looks for quotes to renew |
 * | DEMO_REFRESH_MS | 30000 | the longest a quote stays unrenewed |
 * | DEMO_TAKER_INTERVAL_MS | 1500 | the takers' mean interval between orders |
 */
export interface DemoTradersConfig {
  enabled: boolean;
  seed: number;
  quoteIntervalMs: number;
  refreshMs: number;
  takerIntervalMs: number;
}

export function demoTradersConfigFromEnv(
  env: NodeJS.ProcessEnv,
  enabledByDefault: boolean,
): DemoTradersConfig {
  const flag = env.DEMO_TRADERS ?? (enabledByDefault ? 'on' : 'off');
  if (flag !== 'on' && flag !== 'off') throw new Error(`DEMO_TRADERS must be on or off, got "${flag}"`);
  const int = (name: string, fallback: number, min: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const v = Number(raw);
    if (!Number.isSafeInteger(v) || v < min)
      throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
    return v;
  };
  return {
    enabled: flag === 'on',
    seed: int('DEMO_SEED', 7, 0),
    quoteIntervalMs: int('DEMO_QUOTE_INTERVAL_MS', 2000, 50),
    refreshMs: int('DEMO_REFRESH_MS', 30_000, 100),
    takerIntervalMs: int('DEMO_TAKER_INTERVAL_MS', 1500, 50),
  };
}

interface Listed {
  view: InstrumentView; // the latest read (its status changes)
  minPriceTicks: number;
  maxPriceTicks: number;
}

interface Quoted {
  fairTicks: number;
  atMs: number;
  levels: QuoteLevel[];
  taken: boolean;
}

type Quote = { instrument: string; side: 'buy' | 'sell'; price: string; quantity: string };
type QuoteAnswer = { quotes: { ok: boolean; error?: { code: string } }[] };

const SUMMARY_EVERY_MS = 30_000;
/** Quotes stay while the fair price moves less than half the half spread (at least a tick). */
const movedMuch = (fromTicks: number, toTicks: number) =>
  Math.abs(toTicks - fromTicks) * 20_000 >= Math.max(20_000, fromTicks * DEFAULT_QUOTING.halfSpreadBps);
const CHANNELS_PER_REQUEST = 200;
const createSocket = nodeWebSocketFactory(WebSocket);
const toTicks = (price: string, tickSize: string) => roundToTicks(new Dec(price), tickSize); // nearest tick, ties to even

export class DemoTraders {
  private readonly logger = new Logger('DemoTraders');
  private readonly rng: SeededRandom;
  private readonly listed = new Map<string, Listed>();
  private readonly fair = new Map<string, number>();
  private readonly quoted = new Map<string, Quoted>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly rejected = new Map<string, number>();
  private readonly counts = { quoteRequests: 0, quotes: 0, takerOrders: 0, takerFills: 0 };
  private quoting = false;
  private closed = false;

  private constructor(
    private readonly config: DemoTradersConfig,
    private readonly maker: WsClient,
    private readonly takers: { rest: RestClient; ws: WsClient },
  ) {
    this.rng = new SeededRandom(config.seed);
  }

  /** Signs the participants up (faucet-funded), subscribes to the prices and starts the loops. */
  static async start(baseUrl: string, config: DemoTradersConfig): Promise<DemoTraders> {
    const wsUrl = `${baseUrl.replace(/^http/, 'ws')}/ws`;
    const suffix = Date.now().toString(36); // names are unique; a restart signs up new participants
    const instruments = await new RestClient({ baseUrl }).instruments();
    const classes = [...new Set(instruments.map((i) => i.computeClass))];
    const account = async (name: string) => {
      const rest = new RestClient({ baseUrl });
      const s = await rest.signup(`${name}-${suffix}`);
      await rest.faucet('USDC', '100000000');
      for (const c of classes) await rest.faucet(c, '1000000');
      const ws = new WsClient({ url: wsUrl, credentials: s, createSocket });
      await ws.connect();
      await ws.auth();
      await ws.enableCancelOnDisconnect();
      return { rest, ws };
    };
    const maker = await account('demo-maker');
    const taker = await account('demo-taker');
    const traders = new DemoTraders(config, maker.ws, taker);
    await traders.follow(instruments);
    traders.every(config.quoteIntervalMs, () => traders.requote());
    traders.every(config.takerIntervalMs, () => traders.take());
    traders.every(SUMMARY_EVERY_MS, () => traders.summary());
    // listings and halts change (expiries, new listings): the instrument list is read again
    traders.every(SUMMARY_EVERY_MS, async () => traders.follow(await taker.rest.instruments()));
    traders.logger.log({ msg: 'demo traders started', instruments: instruments.length, seed: config.seed });
    return traders;
  }

  private every(ms: number, run: () => Promise<void> | void): void {
    const t = setInterval(() => {
      if (!this.closed) void Promise.resolve(run()).catch((err: unknown) => this.failed(err));
    }, ms);
    t.unref();
    this.timers.push(t);
  }

  /** Keeps each instrument's status; subscribes the maker to the fair price of the ones it did not know. */
  private async follow(instruments: InstrumentView[]): Promise<void> {
    const channels: string[] = [];
    for (const view of instruments) {
      const known = this.listed.get(view.symbol);
      if (known !== undefined) {
        known.view = view;
        continue;
      }
      const listed = {
        view,
        minPriceTicks: toTicks(view.minPrice, view.tickSize),
        maxPriceTicks: toTicks(view.maxPrice, view.tickSize),
      };
      this.listed.set(view.symbol, listed);
      if (view.kind === 'spot') {
        this.maker.onIndex(view.computeClass, (r) =>
          this.fair.set(view.symbol, toTicks(r.price, view.tickSize)),
        );
        channels.push(`index.${view.computeClass}`);
      } else {
        this.maker.onMark(view.symbol, (m) => {
          if (m.markPrice !== null) this.fair.set(view.symbol, toTicks(m.markPrice, view.tickSize));
        });
        channels.push(`mark.${view.symbol}`);
      }
    }
    const unique = [...new Set(channels)];
    for (let i = 0; i < unique.length; i += CHANNELS_PER_REQUEST)
      await this.maker.subscribe(...unique.slice(i, i + CHANNELS_PER_REQUEST));
  }

  /** Renews the quotes whose fair price moved, that were taken, or that are older than the refresh. */
  private async requote(): Promise<void> {
    if (this.quoting) return; // the previous pass is still waiting for answers
    this.quoting = true;
    try {
      const nowMs = Date.now();
      const requests: Quote[][] = [[]];
      for (const [symbol, fairTicks] of this.fair) {
        const listed = this.listed.get(symbol)!;
        const last = this.quoted.get(symbol);
        const fresh =
          last !== undefined &&
          !movedMuch(last.fairTicks, fairTicks) &&
          !last.taken &&
          nowMs - last.atMs < this.config.refreshMs;
        if (fresh || listed.view.status !== 'trading') continue;
        const levels = quoteLevels(fairTicks, listed, DEFAULT_QUOTING, () => this.rng.next());
        if (levels.length === 0) continue;
        this.quoted.set(symbol, { fairTicks, atMs: nowMs, levels, taken: false });
        // an instrument's quotes go in one request: `replace` cancels its resting quotes first
        if (requests.at(-1)!.length + levels.length > MAX_QUOTES) requests.push([]);
        for (const l of levels)
          requests.at(-1)!.push({
            instrument: symbol,
            side: l.side,
            price: ticksToPrice(l.priceTicks, listed.view.tickSize),
            quantity: lotsToQuantity(l.lots, listed.view.lotSize),
          });
      }
      for (const quotes of requests) {
        if (quotes.length === 0 || this.closed) continue;
        const answer = (await this.maker.massQuote({ replace: true, quotes })) as QuoteAnswer;
        this.counts.quoteRequests++;
        for (const q of answer.quotes) {
          if (q.ok) this.counts.quotes++;
          else this.count(q.error?.code ?? 'UNKNOWN');
        }
      }
    } finally {
      this.quoting = false;
    }
  }

  /** One taker order: one lot of a random quote's best level, IOC, alternately over REST and WebSocket. */
  private async take(): Promise<void> {
    if (this.rng.next() < 0.3) return; // irregular arrivals around the mean interval
    const symbols = [...this.quoted.keys()];
    if (symbols.length === 0) return;
    const symbol = symbols[Math.floor(this.rng.next() * symbols.length)]!;
    if (this.listed.get(symbol)!.view.status !== 'trading') return;
    const q = this.quoted.get(symbol)!;
    const side = this.rng.next() < 0.5 ? 'buy' : 'sell';
    const opposite = q.levels.filter((l) => l.side !== side).map((l) => l.priceTicks);
    if (opposite.length === 0) return;
    const listed = this.listed.get(symbol)!;
    const priceTicks = side === 'buy' ? Math.min(...opposite) : Math.max(...opposite);
    const order = {
      instrument: symbol,
      side,
      type: 'limit',
      timeInForce: 'IOC',
      price: ticksToPrice(priceTicks, listed.view.tickSize),
      quantity: lotsToQuantity(1, listed.view.lotSize),
    } as const;
    this.counts.takerOrders++;
    try {
      const { side: _side, ...params } = order;
      const ws = this.takers.ws;
      const r =
        this.counts.takerOrders % 2 === 0
          ? await this.takers.rest.placeOrder(order)
          : await (side === 'buy' ? ws.buy(params) : ws.sell(params));
      const fills = (r as { fills?: unknown[] }).fills?.length ?? 0;
      this.counts.takerFills += fills;
      if (fills > 0) q.taken = true;
    } catch (err) {
      this.count((err as { body?: { code?: string } }).body?.code ?? 'REQUEST_FAILED');
    }
  }

  private count(code: string): void {
    this.rejected.set(code, (this.rejected.get(code) ?? 0) + 1);
  }

  private failed(err: unknown): void {
    if (this.closed) return; // requests cut short by the stop
    this.count('REQUEST_FAILED');
    this.logger.warn({ msg: 'demo request failed', error: err instanceof Error ? err.message : String(err) });
  }

  private summary(): void {
    this.logger.log({
      msg: 'demo traders',
      instrumentsQuoted: this.quoted.size,
      ...this.counts,
      rejected: Object.fromEntries(this.rejected),
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    this.maker.close();
    this.takers.ws.close();
  }
}
