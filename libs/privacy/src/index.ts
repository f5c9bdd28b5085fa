/**
 * @silhouette/privacy: the gates that free text and aggregates pass before they leave the
 * sealed boundary. This module currently exports the deterministic PII detector and scrubber.
 */
export * from './pii';
