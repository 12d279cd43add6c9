export {
  FileJournal,
  JournalCorruptError,
  syncDir,
  type FileJournalOptions,
  type FsyncPolicy,
  type RecoveryReport,
  type SyncIo,
  type SyncThread,
} from './file-journal';
export { statsBetween, syncQuantile, type SyncStats } from './sync-stats';
export { SnapshotStore, type LoadedSnapshot, type SnapshotLoad } from './snapshot-store';
export { FRAME_HEADER_BYTES, FRAME_MAGIC, encodeFrame, scanFrame, type FrameScan } from './frame';
export { writeFileAtomically } from './atomic-file';
