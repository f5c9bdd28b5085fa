/**
 * Typed calls for issue #15: the issues map, the published custom facets and (admin) their
 * definitions. Types come from the contracts (type-only: no schema code in the bundle).
 */
import type {
  CustomFacet,
  CustomFacetInput,
  CustomFacetList,
  MapCluster,
  MapResponse,
  PublishedCustomFacets,
} from '@silhouette/contracts/custom-facets';
import { request } from './api-client';

export type { CustomFacet, CustomFacetInput, CustomFacetList, MapCluster, PublishedCustomFacets };

const q = encodeURIComponent;

export const facetsApi = {
  /** The issues map (`issues`) or a short-text facet's (`custom:<key>`). */
  map: (csrf: string, name = 'issues') =>
    request<MapResponse>(`/v1/insights/map?name=${q(name)}`, csrf),
  /** Custom facets as readers see them (to label breakdowns), and who answers them. */
  published: (csrf: string) => request<PublishedCustomFacets>('/v1/insights/facets', csrf),
  definitions: (csrf: string) => request<CustomFacetList>('/v1/admin/facets', csrf),
  create: (csrf: string, body: CustomFacetInput) =>
    request<CustomFacet>('/v1/admin/facets', csrf, { method: 'POST', body }),
  update: (csrf: string, id: string, patch: Partial<CustomFacetInput>) =>
    request<CustomFacet>(`/v1/admin/facets/${q(id)}`, csrf, { method: 'PATCH', body: patch }),
  remove: (csrf: string, id: string) =>
    request<void>(`/v1/admin/facets/${q(id)}`, csrf, { method: 'DELETE' }),
};
