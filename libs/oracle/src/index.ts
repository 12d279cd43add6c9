export * from './reason-code';
export {
  FlatStructHasher,
  hexToBytes,
  bytesToHex,
  type Eip712Domain,
  type FlatField,
  type FlatFieldType,
} from './eip712';
export {
  SignatureVerifier,
  verifyBatch,
  type VerifyItem,
  parseSignature,
  signDigest,
  recoverAddress,
  addressOfPrivateKey,
  addressOfPublicKey,
  type ParsedSignature,
} from './signature';
export {
  ProviderReportCodec,
  PROVIDER_REPORT_FIELDS,
  REPORT_LIMITS,
  type ProviderReport,
  type SignedReport,
  type PriceKind,
} from './report';
export { ProviderRegistry, type ProviderRecord, type ProviderStatus } from './registry';
export {
  ReportValidator,
  DEFAULT_INGESTION_CONFIG,
  type IngestionConfig,
  type IngestResult,
} from './ingestion';
export {
  weightedQuantile,
  weightedQuantileOf,
  sortedOrder,
  median,
  divRoundHalfEven,
  type Weighted,
} from './robust-stats';
export {
  computeIndex,
  aggregate,
  performanceFactors,
  latestFresh,
  DEFAULT_INDEX_CONFIG,
  type IndexConfig,
  type IndexId,
  type IndexStatus,
  type IndexValue,
  type IndexSnapshot,
  type IndexSample,
} from './oracle-index';
export {
  IndexPublisher,
  twap,
  DEFAULT_PUBLICATION_CONFIG,
  type PublicationConfig,
  type PublishedRound,
  type PublishDecision,
  type TwapResult,
} from './publisher';
export { RoundAttestor, INDEX_ROUND_FIELDS, type SignedRound } from './attestation';
export {
  ProviderSimulator,
  SeededRandom,
  type SimulatedProvider,
  type SimulatorConfig,
  type Fault,
} from './simulator';
