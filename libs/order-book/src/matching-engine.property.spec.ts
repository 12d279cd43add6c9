import fc from 'fast-check';
import {
  ByteWriter,
  EventType,
  decodeCommands,
  decodeEvents,
  encodeCommands,
  encodeEvent,
  type Command,
  type EngineEvent,
} from '@exchange/domain';
import { BinaryEventSink, EventCollector, MatchingEngine } from '@exchange/order-book';
import { STREAM_INSTRUMENTS, streamArb } from '../test/command-stream';
import { ReferenceEngine } from '../test/reference-engine';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 150);

function run(
  commands: Command[],
  after?: (engine: MatchingEngine, events: EngineEvent[]) => void,
): { engine: MatchingEngine; events: EngineEvent[] } {
  const sink = new EventCollector();
  const engine = new MatchingEngine(sink);
  const events: EngineEvent[] = [];
  for (const c of commands) {
    engine.process(c);
    const produced = sink.take();
    events.push(...produced);
    after?.(engine, produced);
  }
  return { engine, events };
}

describe('matching engine properties over random command streams', () => {
  it('produces exactly the events of the naive reference matcher', () => {
    fc.assert(
      fc.property(streamArb(250), (commands) => {
        const fast = run(commands).events;
        const sink = new EventCollector();
        const ref = new ReferenceEngine(sink);
        for (const c of commands) ref.process(c);
        expect(fast).toEqual(sink.events);
      }),
      { numRuns: RUNS },
    );
  });

  it('never leaves a book crossed after a command', () => {
    fc.assert(
      fc.property(streamArb(250), (commands) => {
        run(commands, (engine) => {
          for (const id of STREAM_INSTRUMENTS) {
            const book = engine.book(id);
            const bid = book?.bids.best;
            const ask = book?.asks.best;
            if (bid && ask) expect(bid.priceTicks).toBeLessThan(ask.priceTicks);
          }
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('conserves quantity: filled + resting + cancelled + expired = submitted (with amendments)', () => {
    fc.assert(
      fc.property(streamArb(250), (commands) => {
        const open = new Map<number, number>();
        const { engine } = run(commands, (_engine, events) => {
          for (const e of events) {
            switch (e.type) {
              case EventType.OrderAccepted:
                open.set(e.orderId, e.qtyLots);
                break;
              case EventType.Trade:
                open.set(e.makerOrderId, open.get(e.makerOrderId)! - e.qtyLots);
                open.set(e.takerOrderId, open.get(e.takerOrderId)! - e.qtyLots);
                expect(open.get(e.makerOrderId)).toBe(e.makerRemainingLots);
                expect(open.get(e.takerOrderId)).toBe(e.takerRemainingLots);
                break;
              case EventType.OrderCancelled:
                open.set(e.orderId, open.get(e.orderId)! - e.cancelledLots);
                expect(open.get(e.orderId)).toBe(e.remainingLots);
                break;
              case EventType.OrderExpired:
                open.set(e.orderId, open.get(e.orderId)! - e.expiredLots);
                expect(open.get(e.orderId)).toBe(0);
                break;
              case EventType.OrderAmended:
                open.set(e.orderId, e.remainingLots);
                break;
            }
          }
        });
        for (const [orderId, lots] of open) {
          const live = STREAM_INSTRUMENTS.map((id) => engine.book(id)!.order(orderId)).find(
            (o) => o !== undefined,
          );
          expect(live?.remainingLots ?? 0).toBe(lots);
          expect(lots).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('keeps each price level first-in first-out', () => {
    fc.assert(
      fc.property(streamArb(250), (commands) => {
        const arrived = new Map<number, number>();
        const iceberg = new Set<number>();
        run(commands, (engine, events) => {
          for (const e of events) {
            if (e.type === EventType.OrderAccepted) {
              arrived.set(e.orderId, e.seq);
              if (e.displayLots > 0) iceberg.add(e.orderId);
            } else if (
              e.type === EventType.OrderTriggered ||
              (e.type === EventType.OrderAmended && !e.priorityKept)
            ) {
              arrived.set(e.orderId, e.seq);
            }
          }
          for (const id of STREAM_INSTRUMENTS) {
            const book = engine.book(id);
            if (book === undefined) continue;
            for (const ladder of [book.bids, book.asks]) {
              ladder.forEach((level) => {
                let prev = 0;
                for (let o = level.head; o !== null; o = o.next) {
                  if (iceberg.has(o.orderId)) continue;
                  const at = arrived.get(o.orderId)!;
                  expect(at).toBeGreaterThanOrEqual(prev);
                  prev = at;
                }
              });
            }
          }
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('replays the same commands (through the codec) to byte-identical events and the same state hash', () => {
    fc.assert(
      fc.property(streamArb(250), (commands) => {
        const replayed = decodeCommands(encodeCommands(commands));
        expect(replayed).toEqual(commands);
        const bytes = (cs: Command[]) => {
          const sink = new BinaryEventSink(new ByteWriter(1 << 16));
          const engine = new MatchingEngine(sink);
          for (const c of cs) engine.process(c);
          return { bytes: sink.writer.bytes().slice(), hash: engine.stateHash() };
        };
        const a = bytes(commands);
        const b = bytes(replayed);
        expect(Buffer.from(b.bytes).equals(Buffer.from(a.bytes))).toBe(true);
        expect(b.hash).toBe(a.hash);
        // the binary sink and the object collector agree through the one codec
        const w = new ByteWriter();
        for (const e of run(commands).events) encodeEvent(w, e);
        expect(Buffer.from(w.bytes()).equals(Buffer.from(a.bytes))).toBe(true);
        expect(decodeEvents(a.bytes)).toEqual(run(commands).events);
      }),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  });

  it('snapshot plus tail replay equals full replay', () => {
    fc.assert(
      fc.property(streamArb(250), fc.nat(), (commands, cutSeed) => {
        const cut = cutSeed % (commands.length + 1);
        const full = run(commands);
        const head = run(commands.slice(0, cut));
        const snapshot = head.engine.snapshot();
        const sink = new EventCollector();
        const restored = MatchingEngine.restore(snapshot, sink);
        expect(restored.snapshot()).toEqual(snapshot);
        expect(restored.stateHash()).toBe(head.engine.stateHash());
        for (const c of commands.slice(cut)) restored.process(c);
        expect(restored.stateHash()).toBe(full.engine.stateHash());
        expect([...head.events, ...sink.events]).toEqual(full.events);
      }),
      { numRuns: RUNS },
    );
  });
});
