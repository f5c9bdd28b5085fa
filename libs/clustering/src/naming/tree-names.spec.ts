import { describe, expect, it } from 'vitest';
import { nameTree, type TreeMember } from './tree-names';

function group(count: number, useCase: string, taskType: string, domain: string, from: number) {
  return Array.from({ length: count }, (_, i) => ({
    text: `${taskType}; ${useCase}; goal`,
    user: `u${from + i}`,
    useCase,
    taskType,
    domain,
  }));
}

describe('nameTree', () => {
  const members: TreeMember[] = [
    ...group(30, 'finding bus tickets', 'search & lookup', 'travel', 0),
    ...group(10, 'finding bus stops', 'search & lookup', 'travel', 100),
    ...group(30, 'booking restaurant tables', 'booking', 'food & dining', 200),
    ...group(20, 'debugging python scripts', 'debugging', 'software engineering', 300),
  ];
  const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
  const levels = [
    [
      { id: 'travel', parentId: null, members: [] },
      { id: 'rest', parentId: null, members: [] },
    ],
    [
      { id: 'tickets', parentId: 'travel', members: ids(0, 30) },
      { id: 'stops', parentId: 'travel', members: ids(30, 40) },
      { id: 'tables', parentId: 'rest', members: ids(40, 70) },
      { id: 'python', parentId: 'rest', members: ids(70, 90) },
    ],
  ];

  it('names every level from facets and keeps the c-TF-IDF terms as keywords', () => {
    const named = nameTree(levels, members, 5);
    expect(named.size).toBe(6);
    // The parent of "tables" and "python" is mostly restaurant bookings and takes that name, so
    // its child says it in other words.
    expect(named.get('rest')!.name).toBe('Booking restaurant tables');
    expect(named.get('tables')!.name).toMatch(/^Booking (restaurant|tables)/);
    expect(named.get('tables')!.name).not.toBe(named.get('rest')!.name);
    expect(named.get('python')!.name).toBe('Debugging Python scripts');
    for (const node of named.values()) {
      expect(node.keywords.length).toBeGreaterThan(0);
      expect(node.keywords.length).toBeLessThanOrEqual(5);
    }
  });

  it('does not repeat the parent name in a child that has siblings', () => {
    const named = nameTree(levels, members, 5);
    const parent = named.get('travel')!.name;
    expect(parent).toMatch(/bus/i);
    expect(named.get('tickets')!.name).not.toBe(parent);
    expect(named.get('stops')!.name).not.toBe(parent);
    expect(named.get('tickets')!.name).not.toBe(named.get('stops')!.name);
  });

  it('lets an only child keep its parent name: they are the same group', () => {
    const only = [
      [{ id: 'p', parentId: null, members: [] }],
      [{ id: 'c', parentId: 'p', members: ids(0, 40) }],
    ];
    const named = nameTree(only, members, 5);
    expect(named.get('c')!.name).toBe(named.get('p')!.name);
  });
});
