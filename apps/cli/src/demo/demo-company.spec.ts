import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { normalizeRecord } from '@silhouette/ingest';
import { OfflineTagger } from '@silhouette/llm';
import { DEMO_DAYS, DEMO_TEAMS, demoCompany } from './demo-company';
import { DEMO_CORPUS_FILE, encodeDemoCorpus, parseDemoCorpus, readDemoCorpus } from './demo-corpus';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const NOW = new Date('2026-12-04T22:11:00Z');
const K_USERS = 5;
const MIN_CONVERSATIONS = 10;

function usersBy(
  conversations: ReturnType<typeof demoCompany>['conversations'],
  key: (c: (typeof conversations)[number]) => string,
): Map<string, { conversations: number; users: Set<string> }> {
  const cells = new Map<string, { conversations: number; users: Set<string> }>();
  for (const c of conversations) {
    const cell = cells.get(key(c)) ?? { conversations: 0, users: new Set<string>() };
    cell.conversations++;
    cell.users.add(c.user_id);
    cells.set(key(c), cell);
  }
  return cells;
}

describe('demo corpus', () => {
  const corpus = readDemoCorpus();

  it('ships inside the repository, compressed under 5 MB, with a licence for every source', () => {
    expect(relative(REPO, DEMO_CORPUS_FILE).startsWith('..')).toBe(false);
    expect(statSync(DEMO_CORPUS_FILE).size).toBeLessThan(5 * 1024 * 1024);
    const dir = dirname(DEMO_CORPUS_FILE);
    const licences = readdirSync(`${dir}/licenses`);
    const attribution = readFileSync(`${dir}/ATTRIBUTION.md`, 'utf8');
    const sources = new Set(corpus.map((r) => r.source));
    const licenceFor: Record<string, string> = {
      oasst1: 'oasst1-Apache-2.0.txt',
      sgd: 'sgd-CC-BY-SA-4.0.txt',
      banking77: 'banking77-CC-BY-4.0.txt',
      'mt-bench': 'mt-bench-Apache-2.0.txt',
      'vicuna-bench': 'mt-bench-Apache-2.0.txt',
    };
    for (const source of sources) {
      expect(attribution).toContain(`\`${source}\``);
      if (source !== 'written') expect(licences).toContain(licenceFor[source]);
    }
    // Every kind of edit is explained in the attribution file.
    for (const edit of new Set(corpus.map((r) => r.edit)))
      expect(attribution).toContain(`\`${edit}\``);
  });

  it('round-trips, and a bad line is refused with its number and field', () => {
    expect(parseDemoCorpus(encodeDemoCorpus(corpus.slice(0, 3)))).toEqual(corpus.slice(0, 3));
    const bad = encodeDemoCorpus(corpus.slice(0, 2)).replace('"topic":"', '"topic":"x');
    expect(() => parseDemoCorpus(bad)).toThrow(/demo corpus line 1: topic:/);
    const duplicate = encodeDemoCorpus([corpus[0]!, corpus[0]!]);
    expect(() => parseDemoCorpus(duplicate)).toThrow(/line 2: id: duplicate/);
    // The committed file is what the encoder writes (so the build script's output is checked in).
    expect(gzipSync(encodeDemoCorpus(corpus), { level: 9 }).length).toBeGreaterThan(0);
  });
});

describe('demo company', () => {
  const { conversations, people } = demoCompany(NOW);

  it('has at least 1,500 conversations, every one valid for ingest', () => {
    expect(conversations.length).toBeGreaterThanOrEqual(1500);
    expect(new Set(conversations.map((c) => c.id)).size).toBe(conversations.length);
    for (const c of conversations) {
      const normalized = normalizeRecord(c, { format: 'openai', maxMessageBytes: 256 * 1024 });
      expect(normalized.ok, c.id).toBe(true);
    }
  });

  it('is the same on every start of the same day, and only the dates move on another day', () => {
    const later = demoCompany(new Date('2026-12-04T23:59:00Z')).conversations;
    expect(later).toEqual(conversations);
    const nextDay = demoCompany(new Date('2026-12-05T08:00:00Z')).conversations;
    // The weekday of each offset changes with the date, so days (and the model of the day) move.
    const who = (c: (typeof conversations)[number]) => [
      c.id,
      c.user_id,
      c.metadata!.team,
      c.messages,
    ];
    expect(nextDay.map(who)).toEqual(conversations.map(who));
    expect(nextDay[0]!.started_at).not.toBe(conversations[0]!.started_at);
  });

  it('spans ten weeks up to today, busier towards the end', () => {
    const times = conversations.map((c) => Date.parse(c.started_at!));
    const today = Date.UTC(2026, 11, 4);
    expect(Math.max(...times)).toBeLessThanOrEqual(today);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(today - DEMO_DAYS * 86_400_000);
    const span = (today - Math.min(...times)) / (7 * 86_400_000);
    expect(span).toBeGreaterThan(8);
    const half = today - (DEMO_DAYS / 2) * 86_400_000;
    const recent = times.filter((t) => t >= half).length;
    expect(recent).toBeGreaterThan(1.4 * (times.length - recent));
  });

  it('has about 80 people in six teams well over the thresholds, and small teams below them', () => {
    expect(people).toHaveLength(80);
    const teams = usersBy(conversations, (c) => c.metadata!.team!);
    const large = DEMO_TEAMS.filter((t) => t.people >= K_USERS);
    expect(large).toHaveLength(6);
    for (const team of large) {
      const cell = teams.get(team.team)!;
      // Margin over k_users and min_conversations so that noise cannot hide a team.
      expect(cell.users.size, team.team).toBeGreaterThanOrEqual(K_USERS + 3);
      expect(cell.conversations, team.team).toBeGreaterThanOrEqual(3 * MIN_CONVERSATIONS);
    }
    const small = DEMO_TEAMS.filter((t) => t.people < K_USERS);
    for (const team of small) expect(teams.get(team.team)!.users.size).toBeLessThan(K_USERS);
    // Together they pass, so the pooled "other" does not swallow a large team.
    const pooled = new Set(small.flatMap((t) => [...teams.get(t.team)!.users]));
    expect(pooled.size).toBeGreaterThanOrEqual(K_USERS + 2);
    for (const c of conversations)
      expect(Object.keys(c.metadata!).sort()).toEqual([
        'department',
        'locale',
        'model',
        'product',
        'team',
      ]);
  });

  it('uses the assistant differently per team: engineers code, support looks up, operations books', () => {
    const tagger = new OfflineTagger();
    const taskShare = (team: string, labels: string[]) => {
      const mine = conversations.filter((c) => c.metadata!.team === team);
      const hits = mine.filter((c) => {
        const { facet } = tagger.explain({ conversationId: c.id, messages: c.messages });
        return labels.includes(facet.task_type) || labels.includes(facet.domain);
      });
      return hits.length / mine.length;
    };
    expect(
      taskShare('engineering', ['coding', 'debugging', 'software engineering', 'it support']),
    ).toBeGreaterThan(0.4);
    expect(taskShare('operations', ['booking', 'search & lookup', 'transaction'])).toBeGreaterThan(
      0.5,
    );
    expect(
      taskShare('sales', ['drafting', 'editing', 'translation', 'booking', 'search & lookup']),
    ).toBeGreaterThan(0.4);
    expect(taskShare('support', ['coding', 'debugging'])).toBeLessThan(0.05);
  });

  it('speaks German and French in cells over the thresholds, four more languages below them', () => {
    const byLocale = usersBy(conversations, (c) => c.metadata!.locale!);
    for (const locale of ['de-DE', 'fr-FR']) {
      expect(byLocale.get(locale)!.users.size).toBeGreaterThanOrEqual(K_USERS + 3);
    }
    const small = ['es-ES', 'it-IT', 'nl-NL', 'pt-PT'];
    for (const locale of small) expect(byLocale.get(locale)!.users.size).toBeLessThan(K_USERS);
    const pooled = new Set(small.flatMap((l) => [...byLocale.get(l)!.users]));
    expect(pooled.size).toBeGreaterThanOrEqual(K_USERS + 2);
    const german = conversations.filter((c) =>
      /Kannst du|Fasse bitte/.test(c.messages[0]!.content),
    );
    expect(new Set(german.map((c) => c.user_id)).size).toBeGreaterThanOrEqual(K_USERS);
  });

  it('has failures concentrated enough to form failure areas over the thresholds', () => {
    const failing = conversations.filter((c) => {
      const last = c.messages[c.messages.length - 1]!;
      return (
        /doesn't work|not right|not helpful|not what I asked|still|Traceback|Error:/i.test(
          last.content,
        ) && last.role === 'user'
      );
    });
    const engineers = failing.filter((c) => c.metadata!.team === 'engineering');
    const support = failing.filter((c) => c.metadata!.team === 'support');
    expect(new Set(engineers.map((c) => c.user_id)).size).toBeGreaterThanOrEqual(K_USERS + 2);
    expect(new Set(support.map((c) => c.user_id)).size).toBeGreaterThanOrEqual(K_USERS + 2);
    // Refusals only after the release.
    const refusals = conversations.filter((c) => c.id.startsWith('demo-vicuna-bench-'));
    expect(refusals.every((c) => c.metadata!.model === 'assistant-v2')).toBe(true);
  });
});
