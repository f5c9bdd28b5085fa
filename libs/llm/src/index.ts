export * from './tagging/tagger';
