export { keccak256, keccak256Into, keccak256Many } from './keccak';
