/** Contracts of this node: the follower, its persisted ledger and the provisioner seam. */
export { ContractFollower, type FollowerOptions, type FollowerStatus, type EventListener, type ContractEventListener } from './follower';
export { ContractSync, refusalCode } from './sync';
export { Ledger, LEDGER_FILE, type LedgerEntry, type RentInfo } from './ledger';
export { contractEvent, type ContractEvent } from './events';
