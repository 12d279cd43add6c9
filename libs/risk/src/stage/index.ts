export { DEFAULT_RISK_CONFIG, type FeeSchedule, type RiskConfig } from './risk-config';
export { InstrumentKind, RiskInstrument } from './risk-instrument';
export { RiskAccount, type Exposure, type OpenOrder, type PositionState } from './risk-account';
export { RiskStage, type MarginFigures } from './risk-stage';
export {
  RISK_SNAPSHOT_TAG_V1,
  RISK_SNAPSHOT_TAG_V2,
  RISK_SNAPSHOT_TAG_V3,
  RISK_SNAPSHOT_TAG_V4,
  restoreRiskStage,
  riskStateHash,
  snapshotRiskStage,
} from './risk-snapshot';
export {
  RiskSettlement,
  leaseFailureName,
  leaseFromJson,
  leaseStateName,
  leaseToJson,
  type SettlementCommand,
} from './risk-settlement';
export {
  DEFAULT_REDEMPTION_TERMS,
  MAX_REDEMPTION_GPUS,
  RiskRedemption,
  type CapacityCommitment,
  type ClassIndex,
  type RedemptionTerms,
} from './risk-redemption';
