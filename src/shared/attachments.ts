/**
 * What Confab accepts as an attachment and how each kind reaches a model, shared so that main
 * (which decides) and the renderer (which warns before sending) cannot disagree.
 */
import type { AttachmentKind } from './types/attachments';

/** Images a vision model takes as image parts. */
export const IMAGE_MEDIA_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'] as const;
export const PDF_MEDIA_TYPE = 'application/pdf';
export const DOCX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
/**
 * Text kinds, told apart from the bytes first (UTF-8 without NUL); the name then only picks which
 * text label it gets. SVG and HTML are text documents here: never rendered as live documents.
 */
export const TEXT_MEDIA_TYPES = [
  'text/plain',
  'text/markdown',
  'text/csv',
  'application/json',
  'text/x-code',
  'image/svg+xml',
  'text/html',
] as const;

export const ACCEPTED_DESCRIPTION =
  'images (PNG, JPEG, WebP, GIF) and text, Markdown, code, CSV, JSON, PDF and DOCX files';

export function attachmentKind(mediaType: string): AttachmentKind {
  return (IMAGE_MEDIA_TYPES as readonly string[]).includes(mediaType) ? 'image' : 'document';
}

/**
 * Whether a model reads images. Providers do not say, so this goes by the model families that
 * do; a model not listed is treated as text-only, and sending it an image is refused with a
 * sentence before any request is made (not after a 400).
 */
const VISION_MODEL_PATTERNS: RegExp[] = [
  /gpt-4o/i,
  /gpt-4\.1/i,
  /gpt-4-turbo/i,
  /gpt-4-vision/i,
  /gpt-5/i,
  /chatgpt-4o/i,
  /(^|[/-])o[134](-|$)/i,
  /claude-3/i,
  /claude-(sonnet|opus|haiku)-[4-9]/i,
  /claude-[4-9]/i,
  /gemini/i,
  /vision/i,
  /llava/i,
  /bakllava/i,
  /moondream/i,
  /minicpm-v/i,
  /qwen[\d.]*-?vl/i,
  /gemma-?3/i,
  /pixtral/i,
  /llama-?4/i,
  /mistral-(small|medium)-3/i,
  /(^|[-_/])vl([-_:]|$)/i,
];

export function modelTakesImages(model: string): boolean {
  return VISION_MODEL_PATTERNS.some((re) => re.test(model));
}

export function imagesRefusedSentence(model: string): string {
  return `The model ${model} cannot read images. Choose a model that can (for example gpt-4o or a Claude model), or remove the image.`;
}
