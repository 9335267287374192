/**
 * Message text: English sentences from templates over the topic vocabulary, or sentences in a
 * non-Latin script, shaped like chat turns (short questions, longer answers with lists and code).
 */
import { codeBlock } from './code';
import { foreignSentence, type Language } from './foreign';
import type { Rng } from './prng';
import { ADVERBS, GENERAL_ADJECTIVES, GENERAL_NOUNS, GENERAL_VERBS, TIME_WORDS, type Topic, type Verb } from './words';

export interface Voice {
  topic: Topic;
  /** Undefined for English. */
  language?: Language;
}

const USER_TEMPLATES = [
  'How do I {V} the {A} {N} in {T}?',
  'Why is my {N} so {A} when I {V} the {N2}?',
  "What's the best way to {V} a {N} without {Ving} the {N2}?",
  'Can you {V} this {N} for me?',
  'I tried {Ving} the {N}, but the {N2} still {Vs}.',
  'Is it {A} to {V} the {N} every {TIME}?',
  'Could you compare {T} and {T2} for {Ving} a {N}?',
  'My {N} keeps {Ving} after I {V} the {N2}.',
  'Please explain how the {N} {Vs} the {N2}.',
  'We {Ved} the {N} last {TIME} and now the {N2} is {A}.',
  'Any ideas on how to {V} a {A} {N}?',
  'Thanks, that {Ved} the {N}!',
  'Should I {V} the {N} before or after I {V2} the {N2}?',
  'What does it mean when the {N} is {A}?',
  'I need to {V} the {N} by Friday.',
];

const ANSWER_TEMPLATES = [
  'You can {V} the {N} by {Ving} the {A} {N2}.',
  'The {N} {Vs} the {N2}, so {Ving} it {R} {Vs2} the {N3}.',
  'In {T}, a {A} {N} is {R} {Ved} before the {N2}.',
  'First, {V} the {N}; then {V2} the {N2}.',
  'This happens because the {N} is {Ved} while the {N2} {Vs}.',
  'If the {N} is {A}, {V} the {N2} instead.',
  'A {A} {N} usually means the {N2} was {Ved} {R}.',
  'Most people {V} the {N} with {T}, which {Vs} the {N2} {R}.',
  'The trade-off is that a {A} {N} {Vs} more {N2}.',
  'Try {Ving} the {N} and check the {N2} again.',
  'That way the {N} stays {A} even when you {V} the {N2}.',
  'Keep the {N} {A}: {Ving} it too often {Vs} the {N2}.',
  'When the {N} grows, {Ving} the {N2} becomes the {A} part.',
  '{T} {Vs} each {N} separately, so the {N2} is never {Ved} twice.',
  'It is {A} to {V} the {N} once a {TIME} and {V2} the {N2} later.',
];

const LIST_ITEMS = ['{V} the {N}', '{V} the {A} {N}', 'check whether the {N} is {A}', '{V} {T} and {V2} the {N2}', 'avoid {Ving} the {N} {R}'];
const HEADINGS = ['{A} {N}', 'Why the {N} {Vs}', '{Ving} the {N}', 'Option: {T}'];

function pickVerb(rng: Rng, topic: Topic): Verb {
  return rng.chance(0.55) ? rng.zipf(GENERAL_VERBS, 1.1) : rng.zipf(topic.verbs, 0.9);
}

function pickNoun(rng: Rng, topic: Topic): string {
  return rng.chance(0.65) ? rng.zipf(topic.nouns, 0.9) : rng.zipf(GENERAL_NOUNS, 1);
}

function pickAdjective(rng: Rng, topic: Topic): string {
  return rng.chance(0.5) ? rng.zipf(topic.adjectives, 0.8) : rng.zipf(GENERAL_ADJECTIVES, 1);
}

export function fill(rng: Rng, topic: Topic, template: string): string {
  const verbs = new Map<string, Verb>();
  const verb = (slot: string) => {
    let v = verbs.get(slot);
    if (!v) {
      v = pickVerb(rng, topic);
      verbs.set(slot, v);
    }
    return v;
  };
  return template.replace(/\{(V2|V|Vs2|Vs|Ving|Ved|N3|N2|N|A|T2|T|R|TIME)\}/g, (_, slot: string) => {
    switch (slot) {
      case 'V':
        return verb('1').base;
      case 'V2':
        return verb('2').base;
      case 'Vs':
        return verb('1').s;
      case 'Vs2':
        return verb('2').s;
      case 'Ving':
        return verb('1').ing;
      case 'Ved':
        return verb('1').ed;
      case 'A':
        return pickAdjective(rng, topic);
      case 'T':
      case 'T2':
        return rng.zipf(topic.names, 0.8);
      case 'R':
        return rng.pick(ADVERBS);
      case 'TIME':
        return rng.pick(TIME_WORDS);
      default:
        return pickNoun(rng, topic);
    }
  });
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function sentence(rng: Rng, voice: Voice, role: 'user' | 'assistant'): string {
  if (voice.language) return foreignSentence(rng, voice.language, role === 'user' && rng.chance(0.6));
  const templates = role === 'user' ? USER_TEMPLATES : ANSWER_TEMPLATES;
  return capitalize(fill(rng, voice.topic, rng.pick(templates)));
}

function paragraph(rng: Rng, voice: Voice, role: 'user' | 'assistant', targetChars: number): string {
  const sep = voice.language && !voice.language.separator ? '' : ' ';
  let text = sentence(rng, voice, role);
  while (text.length < targetChars) text += sep + sentence(rng, voice, role);
  return text;
}

/** A user turn: mostly one or two sentences, sometimes a pasted snippet. */
export function userText(rng: Rng, voice: Voice): string {
  const target = Math.min(2000, rng.logNormal(88, 0.75));
  let text = paragraph(rng, voice, 'user', target);
  if (rng.chance(0.06)) text += `\n\n${codeBlock(rng)}`;
  return text;
}

/** An assistant turn: paragraphs, sometimes a heading, a list and code blocks. */
export function assistantText(rng: Rng, voice: Voice): string {
  const target = Math.min(6000, rng.logNormal(440, 0.7));
  const blocks: string[] = [];
  let length = 0;
  const wantsCode = voice.topic.name === 'programming' || voice.topic.name === 'databases' || voice.topic.name === 'devops' ? 0.45 : 0.06;
  while (length < target) {
    let block: string;
    const roll = rng.next();
    if (blocks.length > 0 && roll < wantsCode * 0.5) block = codeBlock(rng, voice.topic.name === 'databases' && rng.chance(0.6) ? 'sql' : undefined);
    else if (blocks.length > 0 && roll < 0.35 && !voice.language) {
      const items = Array.from({ length: rng.int(2, 5) }, (_, i) => `${i + 1}. ${capitalize(fill(rng, voice.topic, rng.pick(LIST_ITEMS)))}.`);
      block = items.join('\n');
    } else if (blocks.length > 1 && roll < 0.42 && !voice.language) block = `## ${capitalize(fill(rng, voice.topic, rng.pick(HEADINGS)))}`;
    else block = paragraph(rng, voice, 'assistant', rng.int(120, 420));
    blocks.push(block);
    length += block.length + 2;
  }
  return blocks.join('\n\n');
}

/** Long English prose for the rare very long messages (pasted documents, long reports). */
export function longText(rng: Rng, voice: Voice, targetChars: number): string {
  const parts: string[] = [];
  let length = 0;
  while (length < targetChars) {
    const block = rng.chance(0.15) ? codeBlock(rng) : paragraph(rng, voice, 'assistant', rng.int(300, 900));
    parts.push(block);
    length += block.length + 2;
  }
  return parts.join('\n\n');
}

export function sessionTitle(rng: Rng, topic: Topic): string {
  const templates = ['{A} {N} in {T}', '{Ving} the {N}', '{T}: {N} question', '{N} and {N2}', 'Help with {A} {N}', '{T} {N}'];
  return capitalize(fill(rng, topic, rng.pick(templates)));
}
