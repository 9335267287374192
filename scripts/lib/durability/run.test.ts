import { describe, expect, it } from 'vitest';
import { rangeOption } from './run';

describe('--crash-messages', () => {
  it('takes one number or a range, with thousands separators', () => {
    expect(rangeOption(undefined, 'crash-messages')).toBeUndefined();
    expect(rangeOption('20000', 'crash-messages')).toEqual({ min: 20_000, max: 20_000 });
    expect(rangeOption('2,000-6_000', 'crash-messages')).toEqual({ min: 2000, max: 6000 });
  });

  it('refuses anything else with a sentence naming the option', () => {
    expect(() => rangeOption('6000-2000', 'crash-messages')).toThrow(
      /--crash-messages: the range ends before it starts/,
    );
    expect(() => rangeOption('lots', 'crash-messages')).toThrow(/--crash-messages must be a number or a range/);
    expect(() => rangeOption('-5', 'crash-messages')).toThrow(/--crash-messages must be/);
  });
});
