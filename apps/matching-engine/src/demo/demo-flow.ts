import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap } from '@nestjs/common';
import {
  CommandType,
  EventType,
  InstrumentRegistry,
  OrderType,
  Side,
  TimeInForce,
  TriggerSource,
  bookSpecOf,
  computeClass,
  demoFuture,
  listCatalogue,
  placeOrder,
  priceToTicks,
  type EngineEvent,
  type Instrument,
  type InstrumentDefinition,
  type UnsequencedCommand,
} from '@exchange/domain';
import { ENGINE_CONFIG, type EngineConfig } from '../config/engine-config';
import { EngineService } from '../engine/engine.service';
import { CLOCK, type Clock } from '../ports/clock';
import {
  DEMO_DELIVERY_CONFIG,
  loadDemoDeliveryConfig,
  type DemoDeliveryConfig,
} from './demo-delivery-config';
import { DEMO_LESSEE_ACCOUNT, demoDeliveryScript } from './demo-delivery';

/**
 * Lists the catalogue's instruments that are not listed yet (each with its definition, so the risk
 * stage margins it, and each future with a first mark), then funds the demo accounts and plays a
 * short scripted session on the H100 spot book: two market makers quote a ladder, a buyer takes liquidity with a market
 * order, a seller rests an iceberg and a stop waits below the market. Client order ids make the
 * script idempotent: on a restart, orders that are still open are refused as duplicates.
 * With the demo on it also lists a short-dated, physically settled future (catalogue demoFuture,
 * ENGINE_DEMO_EXPIRY_MIN after start) and plays its delivery session (demo-delivery.ts): simulated
 * providers sell it to a demo lessee, so at expiry the settlement app delivers it as leases.
 */
@Injectable()
export class DemoFlow implements OnApplicationBootstrap {
  private readonly logger = new Logger('DemoFlow');

  constructor(
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly engine: EngineService,
    @Optional() @Inject(DEMO_DELIVERY_CONFIG) private readonly delivery?: DemoDeliveryConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const instruments = await this.listCatalogue();
    if (!this.config.demo) return;
    await this.playSpotSession(instruments);
    await this.playDeliverySession(this.delivery ?? loadDemoDeliveryConfig());
  }

  private registry(): InstrumentRegistry {
    const state = this.engine.state;
    return new InstrumentRegistry(
      state
        .instrumentIds()
        .map((instrumentId) => ({ instrumentId, symbol: state.book(instrumentId)!.symbol })),
    );
  }

  /** The commands that list an instrument: its definition and, for a future, a first mark. */
  private listing({ instrumentId, ...definition }: Instrument): UnsequencedCommand[] {
    const out: UnsequencedCommand[] = [
      { type: CommandType.ListInstrument, instrumentId, symbol: definition.symbol, spec: bookSpecOf(definition.contract), definition }, // prettier-ignore
    ];
    // a future's first mark is its class's reference price, until the mark feed moves it
    const cls = computeClass(definition.computeClass);
    if (definition.kind === 'future' && cls !== undefined)
      out.push({
        type: CommandType.SetReferencePrice,
        instrumentId,
        source: TriggerSource.MarkPrice,
        priceTicks: priceToTicks(cls.referencePrice, definition.contract.tickSize),
      });
    return out;
  }

  /** Lists every catalogue instrument live now that the engine does not have yet. */
  async listCatalogue(): Promise<Instrument[]> {
    const state = this.engine.state;
    const instruments = this.registry().assign(listCatalogue(this.clock.nowMs()));
    const fresh = instruments.filter((i) => state.book(i.instrumentId) === undefined);
    if (fresh.length > 0) await this.engine.submit(fresh.flatMap((i) => this.listing(i)));
    this.logger.log({ msg: 'catalogue listed', listed: fresh.length, total: instruments.length });
    return instruments;
  }

  /**
   * Lists the demo future (expiring `expiryMin` after now) and plays its delivery session, once: a
   * restart within the same minute finds it listed and leaves it be.
   */
  private async playDeliverySession(delivery: DemoDeliveryConfig): Promise<void> {
    const definition: InstrumentDefinition = demoFuture(this.clock.nowMs(), delivery.expiryMin * 60_000);
    const [future] = this.registry().assign([definition]);
    if (future === undefined || this.engine.state.book(future.instrumentId) !== undefined) return;
    const ledger = this.engine.state.ledger;
    const script = [...this.listing(future), ...demoDeliveryScript(future, (a) => ledger.balance(a, 'USDC'))];
    const { events } = await this.engine.submit(script);
    const rejected = events.flatMap((e) => (e.type === EventType.OrderRejected ? [e.code] : []));
    const f = future.future!;
    const fields = {
      symbol: future.symbol,
      instrumentId: future.instrumentId,
      expiry: new Date(f.expiryMs).toISOString(),
      deliveryEnd: new Date(f.deliveryEndMs).toISOString(),
      trades: events.filter((e) => e.type === EventType.Trade).length,
      position:
        this.engine.state.account(DEMO_LESSEE_ACCOUNT)?.positions.get(future.instrumentId)?.qtyLots ?? 0,
      rejected,
    };
    if (rejected.length > 0) this.logger.warn({ msg: 'demo delivery session refused orders', ...fields });
    else this.logger.log({ msg: 'demo delivery session played: leases open at expiry', ...fields });
  }

  private async playSpotSession(instruments: Instrument[]): Promise<void> {
    const spot = instruments.find((i) => i.symbol === 'H100-USDC');
    const cls = computeClass('H100');
    if (spot === undefined || cls === undefined) return;
    const id = spot.instrumentId;
    const mid = priceToTicks(cls.referencePrice, spot.contract.tickSize);
    const step = 10; // 0.001 USDC
    const script: UnsequencedCommand[] = [];
    // fund the demo accounts once (a restart finds them funded and leaves them be)
    const ledger = this.engine.state.ledger;
    const funding: [number, string, bigint][] = [
      [101, 'USDC', 100_000_000_000n], [101, 'H100', 10_000n], [102, 'USDC', 100_000_000_000n], [102, 'H100', 10_000n],
      [201, 'USDC', 10_000_000_000n], [202, 'H100', 1_000n], [203, 'H100', 1_000n],
    ]; // prettier-ignore
    for (const [accountId, asset, amountMinor] of funding)
      if (ledger.balance(accountId, asset) === 0n)
        script.push({ type: CommandType.Deposit, accountId, asset, amountMinor });
    const order = (fields: Parameters<typeof placeOrder>[0]) => {
      const { seq: _s, timeMs: _t, ...rest } = placeOrder(fields);
      script.push(rest);
    };
    for (const mm of [101, 102]) {
      for (let level = 1; level <= 5; level++) {
        order({
          instrumentId: id,
          accountId: mm,
          side: Side.Buy,
          priceTicks: mid - level * step,
          qtyLots: 50 * level,
          clientOrderId: `demo-${mm}-b${level}`,
        });
        order({
          instrumentId: id,
          accountId: mm,
          side: Side.Sell,
          priceTicks: mid + level * step,
          qtyLots: 50 * level,
          clientOrderId: `demo-${mm}-a${level}`,
        });
      }
    }
    order({
      instrumentId: id,
      accountId: 201,
      side: Side.Buy,
      orderType: OrderType.Market,
      timeInForce: TimeInForce.IOC,
      qtyLots: 120,
    });
    order({
      instrumentId: id,
      accountId: 202,
      side: Side.Sell,
      priceTicks: mid + step,
      qtyLots: 400,
      displayLots: 40,
      clientOrderId: 'demo-202-iceberg',
    });
    order({
      instrumentId: id,
      accountId: 203,
      side: Side.Sell,
      orderType: OrderType.StopMarket,
      stopPriceTicks: mid - 4 * step,
      qtyLots: 30,
      clientOrderId: 'demo-203-stop',
    });
    const { events } = await this.engine.submit(script);
    const count = (t: EngineEvent['type']) => events.filter((e) => e.type === t).length;
    const book = this.engine.state.book(id)!;
    this.logger.log({
      msg: 'demo session played',
      symbol: spot.symbol,
      accepted: count(EventType.OrderAccepted),
      rejected: count(EventType.OrderRejected),
      trades: count(EventType.Trade),
      lastPriceTicks: book.lastPriceTicks,
      top: book.depth(3),
    });
  }
}
