-- 0002: one facet row per conversation (BRIEF.md, "Facets"), inside the sealed boundary.
-- The row is replaced only when a newer prompt version re-tags the conversation.

CREATE TABLE sealed.facets (
  conversation_id uuid PRIMARY KEY REFERENCES sealed.conversations (id) ON DELETE CASCADE,
  tenant_id uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
  prompt_version text NOT NULL,
  provider text NOT NULL,
  model text NOT NULL,
  domain text NOT NULL,
  task_type text NOT NULL,
  use_case text NOT NULL,
  goal_summary text NOT NULL,
  minutes_without_ai real NOT NULL CHECK (minutes_without_ai BETWEEN 0 AND 480),
  minutes_with_ai real NOT NULL CHECK (minutes_with_ai BETWEEN 0 AND 480),
  -- Success-adjusted: 0 for unresolved/abandoned/refused; stored so it can be audited and recomputed.
  minutes_saved real NOT NULL CHECK (minutes_saved BETWEEN 0 AND 480),
  outcome text NOT NULL CHECK (outcome IN ('resolved', 'partially_resolved', 'unresolved', 'abandoned', 'refused')),
  failure_reasons text[] NOT NULL DEFAULT '{}',
  user_frustration smallint NOT NULL CHECK (user_frustration BETWEEN 1 AND 5),
  language text NOT NULL,
  confidence real NOT NULL CHECK (confidence BETWEEN 0 AND 1),
  turns integer NOT NULL,
  user_tokens integer NOT NULL,
  assistant_tokens integer NOT NULL,
  -- PII spans removed from the free-text facets before this row was written.
  redactions integer NOT NULL DEFAULT 0,
  prompt_tokens integer NOT NULL DEFAULT 0,
  completion_tokens integer NOT NULL DEFAULT 0,
  latency_ms integer NOT NULL DEFAULT 0,
  tagged_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX facets_tenant_idx ON sealed.facets (tenant_id);
