export { OrderBook } from './order-book';
export { MatchingEngine, SNAPSHOT_TAG_V1, MAX_INSTRUMENT_ID } from './matching-engine';
export {
  BinaryEventSink,
  EventCollector,
  type AccountEventSink,
  type EngineEventSink,
  type ExchangeEventSink,
} from './event-sink';
export { PriceLadder } from './price-ladder';
export { OrderState, type Order } from './order';
export { MAX_CLIENT_ORDER_ID_LENGTH, clientOrderIdValid, accountIdValid } from './validation';
