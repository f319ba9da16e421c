export type { StoreSnapshot as CallStoreSnapshot } from '../sdk/call/CallStore';
