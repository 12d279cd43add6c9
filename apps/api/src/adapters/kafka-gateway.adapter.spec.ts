import {
  CommandCursor,
  CommandType,
  EventType,
  Side,
  encodeEvents,
  placeOrder,
  type EngineEvent,
} from '@exchange/domain';
import { encodeFrame } from '@exchange/journal';
import {
  forEachOrderCommand,
  shardSeq,
  shardTopics,
  type ConsumeOptions,
  type LogMessage,
  type LogRecord,
  type MessageLog,
  type Subscription,
} from '@exchange/messaging';
import type { ReadModels } from '../ports/exchange-gateway';
import { KafkaExchangeGateway } from './kafka-gateway.adapter';

const PREFIX = 'fast.';
const topics = shardTopics(PREFIX);

/**
 * One partition, and an engine so fast that a command's events reach the gateway before the
 * broker's acknowledgement of the command does: `append` publishes the events frame first.
 */
class FastEngineLog implements MessageLog {
  private handle: ((records: LogRecord[]) => Promise<void>) | undefined;
  private readonly next = new Map<string, number>();
  private readonly cursor = new CommandCursor();

  async ensureTopics(): Promise<void> {}
  async endOffsets(): Promise<number[]> {
    return [0];
  }
  async consume(options: ConsumeOptions): Promise<Subscription> {
    this.handle = options.handle;
    return { stop: async () => undefined };
  }
  async close(): Promise<void> {}

  private offset(topic: string): number {
    const o = this.next.get(topic) ?? 0;
    this.next.set(topic, o + 1);
    return o;
  }

  async append(topic: string, messages: readonly LogMessage[]): Promise<{ partition: number; offset: number }[]> {
    const out: { partition: number; offset: number }[] = [];
    for (const m of messages) {
      const offset = this.offset(topic);
      out.push({ partition: 0, offset });
      if (topic !== topics.orders) continue;
      const events: EngineEvent[] = [];
      forEachOrderCommand(this.cursor, m.value, (c, i) => {
        const seq = shardSeq(offset, i, 0, 1);
        if (c.type === CommandType.ListInstrument)
          events.push({ type: EventType.InstrumentListed, seq, instrumentId: c.instrumentId, symbol: c.symbol });
        else if (c.type === CommandType.PlaceOrder)
          events.push({
            type: EventType.OrderAccepted, seq, instrumentId: c.instrumentId, orderId: seq, accountId: c.accountId,
            clientOrderId: c.clientOrderId, side: c.side, orderType: c.orderType, timeInForce: c.timeInForce, flags: c.flags,
            priceTicks: c.priceTicks, qtyLots: c.qtyLots, displayLots: c.displayLots, stopPriceTicks: c.stopPriceTicks,
            expireAtMs: c.expireAtMs,
          }); // prettier-ignore
      });
      const value = encodeFrame(events[0]!.seq, events[events.length - 1]!.seq, encodeEvents(events));
      await this.handle!([{ topic: topics.events, partition: 0, offset: this.offset(topics.events), key: m.key, value }]);
    }
    return out;
  } // prettier-ignore
}

it("hands a submitter its command's events when they came before the broker's acknowledgement", async () => {
  const gateway = new KafkaExchangeGateway(
    { log: new FastEngineLog(), partitions: 1, topicPrefix: PREFIX, quoteDomain: 'H100', ackTimeoutMs: 2_000, nowMs: () => Date.UTC(2026, 10, 1) }, // prettier-ignore
    {} as ReadModels,
  );
  expect(gateway.health()).toEqual({ status: 'failed', error: 'the events topic is not followed' });
  await gateway.start(Date.UTC(2026, 10, 1));
  expect(gateway.health()).toEqual({ status: 'ok' });
  const order = placeOrder({ instrumentId: 1, accountId: 7, side: Side.Buy, qtyLots: 2, priceTicks: 2_500, clientOrderId: 'early' }); // prettier-ignore
  const { seq: _seq, timeMs: _timeMs, ...unsequenced } = order;
  const out = await gateway.submit([unsequenced]);
  expect(out.events).toEqual([
    expect.objectContaining({
      type: EventType.OrderAccepted,
      seq: out.firstSeq,
      orderId: out.firstSeq,
      clientOrderId: 'early',
    }),
  ]);
  await gateway.stop();
  expect(gateway.health().status).toBe('failed');
});
