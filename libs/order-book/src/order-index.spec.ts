import fc from 'fast-check';
import { Order } from './order';
import { OrderIndex } from './order-index';

describe('OrderIndex', () => {
  it('behaves like a Map under random inserts and deletes, through growth and tombstone rebuilds', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('set' as const),
        id: fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 2 ** 53 - 1 })),
      }),
      fc.record({ kind: fc.constant('delete' as const), id: fc.integer({ min: 1, max: 300 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 2000 }), (ops) => {
        const index = new OrderIndex(4);
        const model = new Map<number, Order>();
        for (const { kind, id } of ops) {
          if (kind === 'set') {
            const o = new Order();
            o.orderId = id;
            index.set(id, o);
            model.set(id, o);
          } else {
            index.delete(id);
            model.delete(id);
          }
          expect(index.size).toBe(model.size);
        }
        for (let id = 1; id <= 300; id++) expect(index.get(id)).toBe(model.get(id));
        for (const [id, o] of model) expect(index.get(id)).toBe(o);
        expect(new Set(index.all())).toEqual(new Set(model.values()));
      }),
      { numRuns: 200 },
    );
  });
});
