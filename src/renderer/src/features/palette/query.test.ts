import { describe, expect, it } from 'vitest';
import { SNIPPET_MARK_END as E, SNIPPET_MARK_START as S } from '@shared/types';
import { formatHitDate, matchCommands, parsePaletteQuery, splitSnippet } from './query';

describe('parsePaletteQuery', () => {
  it('searches everything outside the trash by default', () => {
    expect(parsePaletteQuery('walrus tusks')).toEqual({ text: 'walrus tusks', view: 'all', role: null, filters: [] });
    expect(parsePaletteQuery('')).toEqual({ text: '', view: 'all', role: null, filters: [] });
  });

  it('takes in: and role: filters out of the text, anywhere and in any case', () => {
    expect(parsePaletteQuery('in:archived walrus')).toEqual({
      text: 'walrus',
      view: 'archived',
      role: null,
      filters: ['in:archived'],
    });
    expect(parsePaletteQuery('walrus IN:Trash role:User')).toEqual({
      text: 'walrus',
      view: 'trash',
      role: 'user',
      filters: ['in:trash', 'role:user'],
    });
    expect(parsePaletteQuery('role:assistant')).toMatchObject({ text: '', role: 'assistant' });
  });

  it('takes in:team as the view of chats shared with the team', () => {
    expect(parsePaletteQuery('IN:Team release plan')).toMatchObject({
      view: 'team',
      text: 'release plan',
      filters: ['in:team'],
    });
    expect(parsePaletteQuery('in:team x in:trash')).toMatchObject({ view: 'trash', filters: ['in:trash'] });
    expect(parsePaletteQuery('in:teams x')).toMatchObject({ view: 'all', text: 'in:teams x' });
  });

  it('lets a later filter of the same kind win', () => {
    expect(parsePaletteQuery('in:trash x in:archived')).toMatchObject({ view: 'archived', filters: ['in:archived'] });
    expect(parsePaletteQuery('role:user role:assistant x')).toMatchObject({
      role: 'assistant',
      filters: ['role:assistant'],
    });
  });

  it('leaves unknown or partial filters as text', () => {
    expect(parsePaletteQuery('in:spam role:robot in: role:')).toMatchObject({
      text: 'in:spam role:robot in: role:',
      view: 'all',
      role: null,
    });
    expect(parsePaletteQuery('in:archivedx')).toMatchObject({ text: 'in:archivedx', view: 'all' });
  });

  it('keeps a trailing space after a finished word, not after a filter', () => {
    expect(parsePaletteQuery('walrus ').text).toBe('walrus ');
    expect(parsePaletteQuery('walrus in:trash ').text).toBe('walrus');
    expect(parsePaletteQuery('  many   spaces  here').text).toBe('many spaces here');
  });
});

describe('splitSnippet', () => {
  it('splits marked and plain parts', () => {
    expect(splitSnippet(`the ${S}walrus${E} and ${S}tusks${E}.`)).toEqual([
      { text: 'the ', marked: false },
      { text: 'walrus', marked: true },
      { text: ' and ', marked: false },
      { text: 'tusks', marked: true },
      { text: '.', marked: false },
    ]);
  });

  it('keeps markup-looking text as text and survives stray marks', () => {
    expect(splitSnippet(`<img onerror=x> ${S}<b>${E}`)).toEqual([
      { text: '<img onerror=x> ', marked: false },
      { text: '<b>', marked: true },
    ]);
    expect(splitSnippet(`${E}a${S}b`)).toEqual([
      { text: 'a', marked: false },
      { text: 'b', marked: true },
    ]);
    expect(splitSnippet('')).toEqual([]);
  });
});

describe('matchCommands', () => {
  const commands = [
    { label: 'New chat', keywords: ['create'] },
    { label: 'Toggle theme', keywords: ['dark', 'light'] },
    { label: 'Settings' },
  ];
  it('matches every word in the label or keywords, keeping order', () => {
    expect(matchCommands(commands, '').map((c) => c.label)).toEqual(['New chat', 'Toggle theme', 'Settings']);
    expect(matchCommands(commands, 'dark').map((c) => c.label)).toEqual(['Toggle theme']);
    expect(matchCommands(commands, 'NEW ch').map((c) => c.label)).toEqual(['New chat']);
    expect(matchCommands(commands, 'new theme')).toEqual([]);
    expect(matchCommands(commands, 'set').map((c) => c.label)).toEqual(['Settings']);
  });
});

describe('formatHitDate', () => {
  const now = new Date(2026, 10, 20, 15, 0);
  it('says today and yesterday with the time, else the date (with the year when it differs)', () => {
    expect(formatHitDate(new Date(2026, 10, 20, 9, 5).toISOString(), now, 'en-GB')).toBe('Today 09:05');
    expect(formatHitDate(new Date(2026, 10, 19, 23, 59).toISOString(), now, 'en-GB')).toBe('Yesterday 23:59');
    expect(formatHitDate(new Date(2026, 2, 3, 12).toISOString(), now, 'en-GB')).toBe('3 Mar');
    expect(formatHitDate(new Date(2025, 2, 3, 12).toISOString(), now, 'en-GB')).toBe('3 Mar 2025');
    expect(formatHitDate('not a date', now)).toBe('');
  });
});
