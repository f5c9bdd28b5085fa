/** Dependency-injection tokens: the API is assembled from explicit dependencies, no magic. */
export const API_DEPS = Symbol('API_DEPS');
