export * from './keyring';
export * from './sealed-conversation-store';
export * from './tenant-provisioning';
export * from './facet.repository';
export * from './conversation-status.repository';
export * from './clustering.repository';
export * from './snapshot-evidence.repository';
export * from './publication-request.repository';
